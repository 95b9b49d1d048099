# Shared by the run scripts beside it. Source it; it defines functions only.

deps_root() { cd "$(dirname "${BASH_SOURCE[0]}")" && pwd; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# need PROGRAM:DEBIAN_PACKAGE...: stops with the package to install when a program is missing.
need() {
    local item missing=()
    for item in "$@"; do
        command -v "${item%%:*}" >/dev/null || missing+=("${item#*:}")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "missing programs; install the Debian packages: ${missing[*]}" >&2
        exit 1
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {
    for _ in $(seq 1 300); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$1" >&2
    return 1
}

# wait_line FILE TEXT [SECONDS]: waits until a line of FILE contains TEXT.
wait_line() {
    local file=$1 text=$2 limit=${3:-120}
    for _ in $(seq 1 $((limit * 10))); do
        grep -q -- "$text" "$file" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "no '$text' in $file after ${limit}s:" >&2
    cat "$file" >&2
    return 1
}

# status_mb PID FIELD: VmRSS or VmHWM of a process from /proc/PID/status, in MB.
status_mb() { awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# value FILE KEY: the value of the last "KEY=value" line a probe printed.
value() { awk -F= -v k="$2" '$1 == k { v = substr($0, length(k) + 2) } END { print v }' "$1"; }

# ratio A B: A / B with two decimals, or "-" when either is missing or B is zero.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

# publish_aot PROJECT_DIR OUTPUT_DIR LOG: Native AOT publish for linux-x64. Warnings are kept as warnings here and
# trim warnings are reported one by one (not one summary line per assembly), so that they can be counted; the
# ILCompiler package is the one the SDK picks.
publish_aot() {
    local project=$1 output=$2 log=$3
    # The native compiler only reports warnings when it runs: start from nothing so that it always does.
    rm -rf "$output" "$project/obj/Release/net10.0/linux-x64" "$project/bin/Release/net10.0/linux-x64"
    if ! dotnet publish "$project" -c Release -r linux-x64 -p:PublishAot=true -p:TreatWarningsAsErrors=false \
        -p:TrimmerSingleWarn=false -o "$output" -nologo -clp:NoSummary >"$log" 2>&1; then
        echo "publish of $project failed:" >&2
        tail -n 30 "$log" >&2
        return 1
    fi
}

# aot_warnings LOG: distinct trim and AOT analysis warnings (IL2xxx, IL3xxx) in a publish log.
aot_warnings() { { grep -E 'warning IL[23][0-9]{3}' "$1" || true; } | sed 's/ \[[^]]*\]$//' | sort -u | wc -l; }

# aot_warning_codes LOG: how many of each code, e.g. "IL2026 x80, IL3050 x39".
aot_warning_codes() {
    { grep -E 'warning IL[23][0-9]{3}' "$1" || true; } | sed 's/ \[[^]]*\]$//' | sort -u | { grep -oE 'IL[23][0-9]{3}' || true; } | sort | uniq -c |
        awk '{ printf "%s%s x%d", (NR > 1 ? ", " : ""), $2, $1 } END { if (NR == 0) printf "none" }'
}

# nu_warnings LOG: NuGet warning codes seen in a log (e.g. NU1603), or "none".
nu_warnings() { { grep -oE 'warning NU[0-9]{4}' "$1" || true; } | awk '{ print $2 }' | sort -u | paste -sd, - | sed 's/^$/none/'; }

row() { printf '%-46s %20s %20s %10s\n' "$@"; }

machine_note() {
    echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%SZ); $(dotnet --version 2>/dev/null | sed 's/^/SDK /')"
}
