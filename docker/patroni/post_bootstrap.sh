#!/bin/sh
# Runs once on the first leader: the application's role and database.
set -e
psql -v ON_ERROR_STOP=1 "$1" <<SQL
CREATE ROLE ${APP_DB_USER:-lms} LOGIN PASSWORD '${APP_DB_PASSWORD:-lms}';
CREATE DATABASE ${APP_DB_NAME:-lms} OWNER ${APP_DB_USER:-lms};
-- readiness and db_status read the replication state
GRANT pg_monitor TO ${APP_DB_USER:-lms};
SQL
