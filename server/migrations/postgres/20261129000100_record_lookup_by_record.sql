-- Blind-index rows found by their record: an edit replaces a record's rows, and deleting
-- or anonymising a record (retention) must find them without reading the whole table.
CREATE INDEX record_lookup_record ON record_lookup (record_id);
