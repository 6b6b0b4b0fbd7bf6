-- Following a consultation: its feed and calendar read the phase changes and schedules the audit
-- log recorded for its rounds, without walking every other entry of the consultation.
CREATE INDEX audit_log_consultation_action ON audit_log (consultation_id, action, id);
