-- The roles of a production PostgreSQL for ZhiCheng. Run once, as a superuser:
--   psql -v migrate_password='…' -v app_password='…' -f deploy/postgresql-roles.sql
-- Then run `zhicheng migrate` as zhicheng_migrate and, after every migrate, deploy/postgresql-grants.sql.
--
-- zhicheng_owner   owns the database and every table; nobody logs in as it.
-- zhicheng_migrate logs in to run migrations and becomes zhicheng_owner, so what it creates is the owner's.
-- zhicheng_app     the web servers and workers (DATABASE_URL of `zhicheng serve` and `zhicheng worker`):
--                  not a superuser, owns nothing, so it cannot drop or disable the audit triggers, and
--                  may only read and append to the audit log (see postgresql-grants.sql).

CREATE ROLE zhicheng_owner NOLOGIN;
CREATE ROLE zhicheng_migrate LOGIN PASSWORD :'migrate_password' IN ROLE zhicheng_owner;
ALTER ROLE zhicheng_migrate SET role = 'zhicheng_owner';
CREATE ROLE zhicheng_app LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

CREATE DATABASE zhicheng OWNER zhicheng_owner;
\connect zhicheng
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO zhicheng_owner;
GRANT USAGE ON SCHEMA public TO zhicheng_app;
