#!/bin/sh
# Seeds a running Alertmanager with a few alerts and silences so its status page and the alertmanager
# collector show real data: five alerts (one inhibited, one silenced), an active silence, one that matches
# nothing and expires soon, and a pending one.
#
#   prometheus-alertmanager --config.file=exporters/Exporters.Alertmanager/demo/alertmanager.yml \
#     --storage.path="$(mktemp -d)" --web.listen-address=127.0.0.1:9093 --cluster.listen-address= &
#   exporters/Exporters.Alertmanager/demo/seed.sh http://127.0.0.1:9093
#
# Alerts are re-posted with an end one hour ahead; run the script again to keep them firing longer.
set -eu

url="${1:-http://127.0.0.1:9093}"

stamp() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

alert() {
  # alert <started-ago> label=value...
  ago="$1"
  shift
  labels=""
  for pair in "$@"; do
    labels="${labels:+$labels,}\"${pair%%=*}\":\"${pair#*=}\""
  done
  printf '[{"labels":{%s},"annotations":{"summary":"demo alert"},"startsAt":"%s","endsAt":"%s"}]' \
    "$labels" "$(stamp "-$ago")" "$(stamp "+1 hour")"
}

post() {
  curl -fsS -X POST -H 'Content-Type: application/json' --data "$1" "$url/api/v2/alerts" >/dev/null
}

post "$(alert '10 minutes' alertname=DiskFull severity=critical cluster=a)"
post "$(alert '20 minutes' alertname=DiskFull severity=warning cluster=a)"
post "$(alert '5 minutes' alertname=HighCpu severity=warning cluster=b)"
post "$(alert '30 minutes' alertname=MemoryPressure severity=warning cluster=c)"
post "$(alert '1 minute' alertname=MemoryPressure severity=info cluster=d)"

amtool --alertmanager.url="$url" silence add --duration=2h --author=alice --comment="demo: CPU work" alertname=HighCpu
amtool --alertmanager.url="$url" silence add --duration=10m --author=bob --comment="demo: matches nothing" alertname=Nothing
amtool --alertmanager.url="$url" silence add --start="$(stamp '+1 hour')" --end="$(stamp '+2 hours')" \
  --author=carol --comment="demo: pending" alertname=MemoryPressure

echo "seeded $url: 5 alerts (1 inhibited, 1 silenced), 3 silences (2 active, 1 pending)"
