-- Why a PEP was marked ready or approved without a contribution the council requires (the
-- `contributions` policy): the sentence the PEP page shows, one line a move. The same move is in
-- the audit log with its sections and reason. NULL when nothing was missing.
ALTER TABLE peps ADD COLUMN went_on_without TEXT;
