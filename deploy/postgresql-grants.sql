-- What the application role may do. Run as zhicheng_migrate (or a superuser) after every `zhicheng migrate`:
--   psql "postgresql://zhicheng_migrate:…@db.internal:5432/zhicheng" -f deploy/postgresql-grants.sql
-- The audit log is append-only for the application: no UPDATE, DELETE or TRUNCATE of its entries, and its
-- head only moves forward (the triggers of migration audit 0002 refuse the rest even to the owner).

GRANT USAGE ON SCHEMA public TO zhicheng_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO zhicheng_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO zhicheng_app;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_auditentry FROM zhicheng_app;
REVOKE DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_audithead FROM zhicheng_app;
