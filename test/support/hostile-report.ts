/**
 * A small report whose every string a target or a generator could influence is hostile: markup and script, the
 * characters of Markdown tables and code, workflow-command separators, and characters XML 1.0 cannot hold.
 */
import type { Finding } from '../../findings/finding.js';
import { REPORT_VERSION, withFindings, type CheckRecord, type ConformanceReport, type ExchangeRecord } from '../../reports/report.js';
import { summarize } from '../../reports/summary.js';
import { SCRIPT_PAYLOADS, XML_BREAKERS } from './hostile-receiver.js';

export const MARKDOWN_BREAKERS = '| a | b | `code` ``` **bold** [link](http://127.0.0.1:9/) <b>html</b> &amp; \\ @someone';
export const COMMAND_BREAKERS = '%25 %0A :: , title=x\r\n::error::forged';
export const HOSTILE = `${SCRIPT_PAYLOADS.join(' ')} ${MARKDOWN_BREAKERS} ${COMMAND_BREAKERS} ${XML_BREAKERS}`;

function exchange(full: boolean): ExchangeRecord {
  const body = (text: string) => ({ text, bytes: Buffer.byteLength(text), truncated: false, sha256: '0'.repeat(64) });
  return {
    label: `label ${SCRIPT_PAYLOADS[0]}`,
    request: {
      method: 'POST',
      url: 'http://127.0.0.1:3000/zoom/webhook?q=%3Cscript%3E',
      ...(full ? { headers: { 'content-type': 'application/json', 'x-zm-signature': 'v0=[redacted]', 'x-list': ['a', SCRIPT_PAYLOADS[1]!] }, body: body(JSON.stringify({ event: 'meeting.started', payload: { topic: HOSTILE } })) } : {}),
    },
    response: {
      status: 200,
      ...(full ? { headers: { 'x-script': SCRIPT_PAYLOADS[2]!, 'content-type': 'text/html' }, body: body(HOSTILE) } : {}),
    },
    startedAt: '2026-01-02T03:04:05.000Z',
    latencyMs: 1.5,
    ...(full ? { curl: `curl -sS -X POST 'http://127.0.0.1:3000/zoom/webhook' --data-binary $'${SCRIPT_PAYLOADS[0]}'` } : {}),
  };
}

function check(overrides: Partial<CheckRecord> & Pick<CheckRecord, 'id' | 'suite' | 'level' | 'status'>): CheckRecord {
  return {
    title: `Title ${SCRIPT_PAYLOADS[3]}`,
    rationale: `Rationale ${MARKDOWN_BREAKERS}`,
    event: `meeting.started${SCRIPT_PAYLOADS[1]}`,
    system: 'meetings',
    reason: `reason ${HOSTILE}`,
    reproduce: `npx conformance --target 'http://127.0.0.1:3000/x' --seed 7 --suite ${overrides.suite} --checks ${overrides.id} --events '${SCRIPT_PAYLOADS[0]}'`,
    exchanges: [exchange(overrides.status === 'fail')],
    ...overrides,
  };
}

export function hostileReport(): ConformanceReport {
  const records: CheckRecord[] = [
    check({ id: 'url-validation.answers-challenge', suite: 'url-validation', level: 'MUST', status: 'fail', event: null, system: null }),
    check({ id: 'signature.tampered-body', suite: 'signature', level: 'MUST', status: 'fail' }),
    check({ id: 'signature.tampered-body', suite: 'signature', level: 'MUST', status: 'pass', event: 'session.started', system: 'video-sdk', reason: null }),
    check({ id: 'signature.version-prefix', suite: 'signature', level: 'SHOULD', status: 'fail' }),
    check({ id: 'idempotency.applied-once', suite: 'idempotency', level: 'MUST', status: 'skip', exchanges: [] }),
  ];
  const { findings, checks } = withFindings(records, 3000);
  const config: ConformanceReport['config'] = {
    systems: ['meetings', 'video-sdk'],
    suites: ['url-validation', 'signature', 'idempotency'],
    events: 2,
    examples: 2,
    deadlineMs: 3000,
    concurrency: 8,
    burst: 50,
    observer: false,
    strict: false,
  };
  return {
    tool: 'zoom-conformance',
    version: '0.1.0',
    reportVersion: REPORT_VERSION,
    target: 'http://127.0.0.1:3000/zoom/webhook?x=%3Cscript%3E',
    seed: 7,
    startedAt: '2026-01-02T03:04:05.000Z',
    durationMs: 1234,
    config,
    stopped: `stopped ${HOSTILE}`,
    summary: summarize(checks, { strict: false, deliveries: 10, durationMs: 1234, latencies: [1, 2, 3] }),
    findings: withHostileFinding(findings, checks[0]!),
    checks,
  };
}

/** The findings, with the one that explains `explained` alone replaced by a hostile one. */
function withHostileFinding(findings: Finding[], explained: CheckRecord): Finding[] {
  const at = findings.findIndex((finding) => finding.id === explained.finding);
  if (at < 0 || findings[at]!.results !== 1) throw new Error('internal: the hostile report needs a finding of one result');
  return findings.map((finding, index) => (index === at ? hostileFinding(explained) : finding));
}

/** A finding whose every string is hostile (the diagnosis writes its own words, but quotes labels and reproduce lines). */
function hostileFinding(explained: CheckRecord): Finding {
  explained.finding = 'hostile-finding';
  return {
    id: explained.finding,
    level: 'MUST',
    title: `Title ${HOSTILE}`,
    cause: `Cause ${HOSTILE}`,
    fix: `Fix ${HOSTILE}`,
    fixExample: `example ${HOSTILE}`,
    checks: [{ id: explained.id, results: 1 }],
    results: 1,
    evidence: {
      summary: `Summary ${HOSTILE}`,
      example: { check: explained.id, event: explained.event, exchange: 0, description: `Description ${HOSTILE}`, reproduce: explained.reproduce },
      parameter: { name: `Name ${HOSTILE}`, value: `Value ${HOSTILE}` },
    },
  };
}
