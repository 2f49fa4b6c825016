-- The facts a verdict was decided on are written by kenri itself, as JSON: built by the store from the fleet
-- (store/fleet-facts.ts) or by JSON.stringify, and read back only whole, by JSON.parse. As json, the store
-- parsed every one of them again on the way in, which for a million devices cost more server time than
-- writing them. Text keeps them byte for byte as before.
alter table plan_verdicts alter column input type text using input::text;
