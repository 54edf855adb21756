#!/usr/bin/env bash
# Makes the machine's services ready for Pactum's tests and demos:
#  - PostgreSQL running, with max_prepared_transactions raised (0 forbids PREPARE TRANSACTION, i.e. XA);
#  - MariaDB running;
#  - RabbitMQ (127.0.0.1:5672) and NATS with JetStream (127.0.0.1:4222) running, for pactum-connectors' tests.
# Safe to run again: it only changes what is not already so. Needs root (or the postgres user) for PostgreSQL.
set -euo pipefail

log() { echo "services: $*" >&2; }

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
pg_cluster() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }

if command -v pg_ctlcluster >/dev/null 2>&1; then
  ver=$(pg_cluster)
  if ! pg_up; then
    log "starting PostgreSQL $ver"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  current=$(psql -h 127.0.0.1 -U postgres -d postgres -Atc "show max_prepared_transactions" 2>/dev/null || echo "?")
  if [ "$current" != "?" ] && [ "$current" -lt 64 ]; then
    log "raising PostgreSQL max_prepared_transactions from $current to 64 (needed for XA) and restarting"
    psql -h 127.0.0.1 -U postgres -d postgres -qc "ALTER SYSTEM SET max_prepared_transactions = 64"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main restart
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
else
  log "pg_ctlcluster not found; assuming PostgreSQL is managed elsewhere"
fi
# Fail here, with the reason, rather than later in 36 XA tests that each say "prepared transactions are disabled".
pg_up || { log "PostgreSQL is not reachable on 127.0.0.1:5432 (start it: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start)"; exit 1; }
mpt=$(psql -h 127.0.0.1 -U postgres -d postgres -Atc "show max_prepared_transactions" 2>/dev/null || echo 0)
if [ "$mpt" -lt 64 ]; then
  log "PostgreSQL's max_prepared_transactions is $mpt; XA needs at least 64. As a superuser of the server's host:"
  log "  psql -h 127.0.0.1 -U postgres -c 'ALTER SYSTEM SET max_prepared_transactions = 64' && pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main restart"
  exit 1
fi
log "PostgreSQL ready (max_prepared_transactions=$mpt)"

maria_up() { mariadb -h 127.0.0.1 -P 3306 -uroot -e 'select 1' >/dev/null 2>&1; }
if ! maria_up; then
  log "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  for _ in $(seq 1 30); do maria_up && break; sleep 1; done
fi
maria_up && log "MariaDB ready" || { log "MariaDB is not reachable on 127.0.0.1:3306"; exit 1; }

port_up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! port_up 5672; then
  log "starting RabbitMQ"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do port_up 5672 && break; sleep 1; done
fi
port_up 5672 && log "RabbitMQ ready" || { log "RabbitMQ is not reachable on 127.0.0.1:5672 (start it: rabbitmq-server -detached)"; exit 1; }
if ! port_up 4222; then
  log "starting NATS with JetStream"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || true
  for _ in $(seq 1 30); do port_up 4222 && break; sleep 1; done
fi
port_up 4222 && log "NATS ready" || { log "NATS is not reachable on 127.0.0.1:4222 (it must run with -js)"; exit 1; }
