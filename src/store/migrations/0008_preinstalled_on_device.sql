-- The licence a device came with (its preinstalled OS, OEM or retail) is kept on the device row, no longer
-- as a licence row of its own ('<device key>#preinstalled'). It cannot outlive the device or move to
-- another, so a row of its own bought nothing, and it cost the most of any row: a fleet of a million
-- devices wrote a million extra licences (four indexes, their references checked), and every plan joined
-- them back to their devices. It is still read as one of the device's licences, under the same key
-- (store/preinstalled.ts), so plans, reports and the ESU checks see what they saw before.

alter table devices
  add column os_channel text check (os_channel in ('oem', 'fpp')),
  add column os_product text,
  add column os_edition text,
  add column os_version text,
  add column os_components text[],
  add column os_language text,
  -- A licence is a product, an edition and a version sold through a channel: all of them or none.
  add constraint devices_os_whole check (
    (os_channel is null) = (os_product is null)
    and (os_channel is null) = (os_edition is null)
    and (os_channel is null) = (os_version is null)
    and (os_channel is not null or (os_components is null and os_language is null)));

-- The stored preinstalled licences move to their devices. Their other fields were the same for every one
-- (a full licence assigned to the device, no agreement, no Software Assurance), and the OEM vendor is the
-- device's own (store/preinstalled.ts reads it back from the device).
create temp table kenri_moved on commit drop as
  select l.org_id, l.key, l.device_key, l.channel, l.product, l.edition, l.version, l.components, l.language
  from licences l
  join devices d on d.org_id = l.org_id and d.key = l.device_key
  where l.key = l.device_key || '#preinstalled' and l.channel in ('oem', 'fpp');

update devices d
set os_channel = m.channel, os_product = m.product, os_edition = m.edition, os_version = m.version,
    os_components = m.components, os_language = m.language
from kenri_moved m
where d.org_id = m.org_id and d.key = m.device_key;

delete from licences l using kenri_moved m where l.org_id = m.org_id and l.key = m.key;

-- The audit log says where they went, ten thousand keys a row as imports write it.
insert into audit_log (org_id, actor, action, entity, entity_keys, detail)
select org_id, 'kenri migration 0008', 'move', 'licences', keys,
       jsonb_build_object('count', cardinality(keys), 'to', 'devices.os_*')
from (select org_id, array_agg(key order by key) as keys
      from (select org_id, key, (row_number() over (partition by org_id order by key) - 1) / 10000 as chunk
            from kenri_moved) numbered
      group by org_id, chunk) c
order by org_id;

-- No licence row may take a device's preinstalled key again.
alter table licences add constraint licences_not_preinstalled check (key not like '%#preinstalled');
