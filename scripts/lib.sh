# Shared by scripts/test, scripts/demo and scripts/publish. Source it; it defines functions only.

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The Debian packages the tests and the demo use: real servers to scrape, the Go exporters to compare with, and the
# browser the status page tests drive (Playwright uses /usr/bin/chromium and never downloads one).
DEBIAN_PACKAGES=(redis-server redis-tools redis-sentinel prometheus prometheus-alertmanager prometheus-redis-exporter prometheus-elasticsearch-exporter
    curl openssl unzip apache2-utils python3-jsonschema python3-yaml chromium fonts-dejavu-core)

# Installs whichever of DEBIAN_PACKAGES (plus any given) is missing. Services are not started: tests and the demo
# start their own servers on their own ports.
install_debian_packages() {
    local wanted=("${DEBIAN_PACKAGES[@]}" "$@") missing=() package
    for package in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    local policy=/usr/sbin/policy-rc.d added_policy=""
    if [ ! -e "$policy" ]; then
        # Debian's convention for "do not start services from maintainer scripts".
        printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && added_policy=1
    fi
    local attempt
    for attempt in 1 2 3; do
        if $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq \
            && $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
            break
        fi
        log "apt-get failed (attempt $attempt); repairing and retrying"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq -f >/dev/null || true
        [ "$attempt" -eq 3 ] && { [ -n "$added_policy" ] && $sudo rm -f "$policy"; return 1; }
    done
    [ -n "$added_policy" ] && $sudo rm -f "$policy"
    return 0
}

# The one publish command: the Dockerfile runs it, and scripts/test runs it to prove it works.
#   publish_host OUTPUT [aot|jit]
# aot (the default): one Native AOT executable, OUTPUT/exporters, with the collectors compiled in.
# jit: the same composition on the JIT runtime (self-contained, ReadyToRun), which can also load --plugins.dir.
# Both get the drop-in names the image ships: redis_exporter and elasticsearch_exporter, symlinks to exporters.
# Settings live in src/Exporters/Exporters.csproj.
publish_host() {
    local output="$1" flavour="${2:-aot}"
    case "$flavour" in aot|jit) ;; *) echo "publish_host: flavour must be aot or jit, not '$flavour'" >&2; return 2 ;; esac
    # SOURCE_REVISION names the commit when there is no .git to read it from (a Docker build context).
    dotnet publish "$(repo_root)/src/Exporters/Exporters.csproj" -c Release -r linux-x64 -o "$output" -nologo -v quiet \
        -p:ExportersFlavour="$flavour" ${SOURCE_REVISION:+-p:SourceRevisionId="$SOURCE_REVISION"} || return
    ln -sfn exporters "$output/redis_exporter"
    ln -sfn exporters "$output/elasticsearch_exporter"
}

# The packages the project ships (scripts/pack).
SHIPPED_PACKAGES=(src/Exporters.Abstractions src/Exporters.Exposition src/Exporters.Hosting src/Exporters.Testing
    exporters/Exporters.Redis exporters/Exporters.Elasticsearch exporters/Exporters.Alertmanager exporters/Exporters.Passthrough)

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_http() {
    local url="$1" tries="${2:-200}"
    for _ in $(seq 1 "$tries"); do
        curl -sf -o /dev/null "$url" && return 0
        sleep 0.05
    done
    echo "nothing answered at $url" >&2
    return 1
}
