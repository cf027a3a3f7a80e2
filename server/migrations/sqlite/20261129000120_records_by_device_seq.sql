-- A device numbers each record it collects once: sync looks a new record's number up
-- among the device's stored records to refuse a number used twice.
CREATE INDEX records_device_seq ON records (device_id, device_seq);
