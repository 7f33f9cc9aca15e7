/**
 * The status of license `licenseId` on day `day` (SQL expressions), in SQL, for filtering and reports: the
 * mirror of lifecycle.statusFromStep applied to the last status-bearing event with effective_on <= day
 * (a test checks the two agree).
 */
export function statusOnSql(licenseId: string, day: string): string {
  return `COALESCE((SELECT CASE
    WHEN e.status_after IN ('ACTIVE', 'SUSPENDED') AND e.expires_on_after < ${day} THEN 'EXPIRED'
    ELSE e.status_after END
  FROM license_events e WHERE e.id = (
    SELECT e2.id FROM license_events e2
    WHERE e2.license_id = ${licenseId} AND e2.type <> 'AMENDED' AND e2.effective_on <= ${day} ORDER BY e2.seq DESC LIMIT 1)
  ), 'NOT_YET_EFFECTIVE')`;
}
