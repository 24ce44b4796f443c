#!/usr/bin/env bash
# Donjon's quick start: one local environment on loopback, each command printed before it runs.
#
#   examples/quickstart.sh          # start everything, deploy ROT13 from the registry to an attested (sim) Keep, talk
#                                   # to it, stop everything
#   examples/quickstart.sh start    # start the three services and leave them running (the README's examples use them)
#   examples/quickstart.sh stop     # stop them
#
# The services (ports fixed, loopback only):
#   Drawbridge registry  https://127.0.0.1:8443  tokens, private repositories released to Keeps the Steward certified
#   Steward              https://127.0.0.1:8444  certifies Keeps whose (simulated) attestation passes policy.toml
#   host agent           https://127.0.0.1:8445  starts Keeps on the sim backend (a SIMULATED TEE: proves nothing) for
#                                                clients with a token
# Files: ./quickstart (QUICKSTART_DIR to put them elsewhere): the Steward's CA and TLS material, the policy, alice's
# tokens (alice.token for the registry, alice.agent-token for the agent), the publisher key, the registry's store and
# every service's log.
set -euo pipefail
examples=$(cd "$(dirname "$0")" && pwd -P)
Q=${QUICKSTART_DIR:-quickstart}
REGISTRY=127.0.0.1:8443 STEWARD=127.0.0.1:8444 AGENT=127.0.0.1:8445

launcher=$examples/../donjon
donjon() { "$launcher" "$@"; }
ex=$examples; [ "$(cd examples 2>/dev/null && pwd -P)" = "$examples" ] && ex=examples   # shorter paths in what is printed
say() { printf '\n== %s\n' "$*"; }
show() { printf '$ donjon %s\n' "$*"; donjon "$@"; }

# Starts a service in the background, its output in $Q/logs/NAME.log, and waits until it prints "serving on".
serve() {
  local name=$1; shift
  printf '$ donjon %s &\n' "$*"
  # emptied here, not by the server's own redirection: that one runs in the background, and the wait below could read
  # the last start's "serving on" line before it and go on while the server is still starting (or has failed)
  : >"$Q/logs/$name.log"
  "$launcher" "$@" >>"$Q/logs/$name.log" 2>&1 &   # not through a function: $! must be the server (the launcher execs java)
  echo "$! $name" >>"$Q/pids"
  local pid=$! waited=0
  until grep -Eq 'serving (.* )?on |listening on ' "$Q/logs/$name.log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "quickstart: the $name stopped; its log ($Q/logs/$name.log):" >&2; tail -n 20 "$Q/logs/$name.log" >&2; exit 1
    fi
    if [ $waited -ge 1200 ]; then echo "quickstart: the $name did not start within 120 s ($Q/logs/$name.log)" >&2; exit 1; fi
    sleep 0.1; waited=$((waited + 1))
  done
  grep -E -m1 'serving (.* )?on |listening on ' "$Q/logs/$name.log"
}

stop() {
  [ -f "$Q/pids" ] || return 0
  while read -r pid name; do
    kill "$pid" 2>/dev/null && echo "quickstart: stopped the $name ($pid)" || true
  done <"$Q/pids"
  while read -r pid name; do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done <"$Q/pids"
  rm -f "$Q/pids"
}

start() {
  if [ -f "$Q/pids" ]; then
    echo "quickstart: already started ($Q/pids); run 'examples/quickstart.sh stop' first" >&2; exit 1
  fi
  mkdir -p "$Q/logs"
  say "The Steward's CA, a TLS certificate for localhost, and a policy for this machine's sim Keeps"
  [ -f "$Q/steward/ca.pem" ] || show steward init "$Q/steward" --sim
  cp "$Q/steward/tls.pem" "$Q/tls.pem"   # one localhost certificate for both HTTPS servers
  cp -p "$Q/steward/tls.key" "$Q/tls.key"

  say "alice's tokens for the registry and the host agent (their --tokens files: TOKEN SUBJECT SCOPE...)"
  if [ ! -f "$Q/alice.agent-token" ]; then
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$Q/alice.token")
    (umask 077; echo "$(cat "$Q/alice.token") alice read write manage" >"$Q/tokens")
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$Q/alice.agent-token")
    (umask 077; echo "$(cat "$Q/alice.agent-token") alice deploy" >"$Q/agent-tokens")
  fi
  echo "$Q/tokens: <token> alice read write manage"
  echo "$Q/agent-tokens: <token> alice deploy"

  say "The services"
  serve steward steward serve --policy "$Q/steward/policy.toml" --ca-cert "$Q/steward/ca.pem" --ca-key "$Q/steward/ca.key" \
    --tls-cert "$Q/tls.pem" --tls-key "$Q/tls.key" --listen "$STEWARD"
  serve registry drawbridge serve --store "$Q/registry" --listen "$REGISTRY" --tls-cert "$Q/tls.pem" --tls-key "$Q/tls.key" \
    --tokens "$Q/tokens" --client-ca "$Q/steward/ca.pem"
  serve agent host serve --backend sim --listen "$AGENT" --tls-cert "$Q/tls.pem" --tls-key "$Q/tls.key" --tokens "$Q/agent-tokens"

  say "alice publishes: hello (public, tag signed), hello-private and rot13 (private: for certified Keeps and alice only)"
  if [ -f "$Q/published" ]; then
    echo "(done by an earlier start: they are in $Q/registry)"
    echo; echo "quickstart: started; stop with: examples/quickstart.sh stop"
    return
  fi
  local reg=(--registry "https://$REGISTRY" --ca-cert "$Q/tls.pem" --token-file "$Q/alice.token")
  show user register "${reg[@]}" --subject alice alice
  show repo register "${reg[@]}" --public alice/hello
  show repo register "${reg[@]}" alice/hello-private
  show repo register "${reg[@]}" alice/rot13
  [ -f "$Q/publisher.key" ] || show package keygen "$Q/publisher"
  show package publish "${reg[@]}" --sign-key "$Q/publisher.key" alice/hello:1.0.0 "$ex/hello"
  show package publish "${reg[@]}" alice/hello-private:1.0.0 "$ex/hello"
  show package publish "${reg[@]}" alice/rot13:1.0.0 "$ex/rot13"
  touch "$Q/published"
  echo
  echo "quickstart: started; stop with: examples/quickstart.sh stop"
}

demo() {
  trap stop EXIT
  start
  say "Deploy alice/rot13 to a Keep: the client checks the Keep's evidence against policy.toml, the Keep enrolls with the"
  echo "   Steward, presents its certificate to the registry, fetches the private package and checks every digest"
  printf '$ donjon %s &\n' "deploy --host https://$AGENT --agent-ca $Q/tls.pem --agent-token-file $Q/alice.agent-token --allow-insecure-backend --policy $Q/steward/policy.toml --steward https://$STEWARD --steward-ca $Q/tls.pem --ca-cert $Q/tls.pem $REGISTRY/alice/rot13:1.0.0"
  "$launcher" deploy --host "https://$AGENT" --agent-ca "$Q/tls.pem" --agent-token-file "$Q/alice.agent-token" \
    --allow-insecure-backend --policy "$Q/steward/policy.toml" \
    --steward "https://$STEWARD" --steward-ca "$Q/tls.pem" --ca-cert "$Q/tls.pem" "$REGISTRY/alice/rot13:1.0.0" \
    >"$Q/logs/deploy.log" 2>&1 &
  local deploy=$! waited=0
  echo "$deploy deployment" >>"$Q/pids"
  until (exec 3<>/dev/tcp/127.0.0.1/10020) 2>/dev/null; do
    if ! kill -0 "$deploy" 2>/dev/null; then echo "quickstart: the deployment ended:" >&2; cat "$Q/logs/deploy.log" >&2; exit 1; fi
    if [ $waited -ge 1800 ]; then echo "quickstart: ROT13 is not listening after 180 s:" >&2; cat "$Q/logs/deploy.log" >&2; exit 1; fi
    sleep 0.1; waited=$((waited + 1))
  done
  grep -v '^!!!*$' "$Q/logs/deploy.log" | sed 's/^/   /'

  say "Talk to ROT13 in the Keep (port 10020, from examples/rot13/Enarx.toml)"
  exec 3<>/dev/tcp/127.0.0.1/10020
  printf 'Hello, World!\n' >&3
  local echoed rotated
  read -r -t 30 echoed <&3 && read -r -t 30 rotated <&3
  exec 3>&-
  echo "> Hello, World!"; echo "< $echoed"; echo "< $rotated"
  if [ "$rotated" != "Uryyb, Jbeyq!" ]; then echo "quickstart: ROT13 answered '$rotated', not 'Uryyb, Jbeyq!'" >&2; exit 1; fi
  say "Done: ROT13 ran in an attested Keep, fetched from a private repository. Stopping everything."
}

case ${1:-demo} in
  demo) demo ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: examples/quickstart.sh [demo|start|stop]" >&2; exit 2 ;;
esac
