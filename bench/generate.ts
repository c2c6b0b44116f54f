/** Deterministic generated runbooks, shaped like the ones teams write (headings, numbered steps,
 * fenced shell, inline commands, tables), about `targetBytes` each. */
export function generateRunbook(index: number, targetBytes = 25_000): string {
  let seed = index * 2654435761 + 1;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const services = ['checkout', 'billing', 'search', 'ingest', 'gateway', 'auth', 'media', 'queue', 'scheduler', 'ledger'];
  const verbs = ['Check', 'Inspect', 'Restart', 'Scale', 'Drain', 'Roll back', 'Verify', 'Compare', 'Flush', 'Rotate'];
  const cmds = [
    (s: string) => `kubectl -n ${s} get pods -l app=${s} -o wide`,
    (s: string) => `kubectl -n ${s} logs deploy/${s} --since=15m | grep -i error | tail -50`,
    (s: string) => `kubectl -n ${s} rollout restart deployment/${s}`,
    (s: string) => `wrangler tail ${s}-worker --env production --format json`,
    (s: string) => `curl -sf -H "Authorization: Bearer $TOKEN" https://${s}.internal/health | jq .`,
    (s: string) => `psql "$DATABASE_URL" -c "SELECT state, count(*) FROM pg_stat_activity WHERE datname = '${s}' GROUP BY 1"`,
    (s: string) => `docker compose -f /srv/${s}/compose.yml ps`,
    (s: string) => `redis-cli -h <redis-host> -n ${s.length} INFO memory | grep used_memory_human`,
  ];
  const svc = services[index % services.length]!;
  const out: string[] = [`# ${svc[0]!.toUpperCase()}${svc.slice(1)} runbook ${index}`, '', `Owner: team-${svc}. Escalate to #${svc}-oncall.`, ''];
  let proc = 0;
  while (out.join('\n').length < targetBytes) {
    proc++;
    out.push(`## RB-${String(proc).padStart(2, '0')}: ${svc} ${['latency', 'errors', 'saturation', 'backlog', 'outage'][rand(5)]} ${proc}`, '');
    out.push(`**Alert:** \`${svc}.p99_latency_ms > ${100 + rand(900)}\` for > ${1 + rand(9)} min`, '');
    out.push(`**Symptoms:** Requests to \`${svc}\` time out; dashboards show a rise in 5xx. Customers report slow pages.`, '', '**Steps:**', '');
    const steps = 4 + rand(4);
    for (let s = 1; s <= steps; s++) {
      out.push(`${s}. ${verbs[rand(verbs.length)]} the ${svc} ${['pods', 'workers', 'database', 'cache', 'queue'][rand(5)]}:`);
      out.push('   ```bash');
      const lines = 1 + rand(3);
      for (let l = 0; l < lines; l++) out.push(`   ${cmds[rand(cmds.length)]!(svc)}`);
      out.push('   ```', '');
      if (rand(3) === 0) out.push(`   - If it still fails, run \`kubectl -n ${svc} describe pod <pod-name>\` and read the events.`, '');
    }
    out.push(`| Signal | Threshold | Action |`, `|---|---|---|`, `| errors | > ${rand(50)}% | page |`, `| latency | > ${rand(900)} ms | ticket |`, '');
    out.push(`**Recovery time target:** < ${5 + rand(40)} min`, '', '---', '');
  }
  return out.join('\n');
}
