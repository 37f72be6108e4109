#!/bin/sh
# One database per greenlaw service: each service owns its database and no service reads another's tables.
#
# Mounted into /docker-entrypoint-initdb.d of the postgres image, which runs it once, on an empty data directory,
# as $POSTGRES_USER against $POSTGRES_DB. The names come from GREENLAW_DATABASES (space-separated), set beside this
# script in docker-compose.yml. Idempotent: a database that exists already is left alone.
set -eu

: "${GREENLAW_DATABASES:?GREENLAW_DATABASES must list the databases to create}"

for db in $GREENLAW_DATABASES; do
    case "$db" in
        "" | [!a-z_]* | *[!a-z0-9_]*)
            echo "init-databases: refusing database name '$db' (lower-case letters, digits and _ only)" >&2
            exit 1
            ;;
    esac
    echo "init-databases: database $db (owner $POSTGRES_USER)"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
SELECT format('CREATE DATABASE %I OWNER %I', '$db', current_user)
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')
\gexec
SQL
done
