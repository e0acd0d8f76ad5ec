/** The stylesheet of the HTML report (inline, hashed into its Content-Security-Policy): laptop, phone and print. */
export const PAGE_STYLE = String.raw`
:root { --bg: #fff; --fg: #1d2330; --muted: #5b6475; --line: #d9dee7; --panel: #f6f8fb; --pass: #1a7f37; --pass-bg: #dcf5e3; --fail: #c62828; --fail-bg: #fde2e1; --skip: #6e7781; --skip-bg: #eceff3; --should: #9a6700; --should-bg: #fff1c2; --accent: #0b5cad; }
@media (prefers-color-scheme: dark) { :root { --bg: #12151b; --fg: #e3e7ee; --muted: #9aa4b5; --line: #2c3340; --panel: #1a1f28; --pass: #4ac26b; --pass-bg: #143321; --fail: #ff7b72; --fail-bg: #3d1616; --skip: #9aa4b5; --skip-bg: #242a35; --should: #e3b341; --should-bg: #3a2e0a; --accent: #6cb6ff; } }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 16px; }
h1 { font-size: 20px; margin: 0 0 8px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
h2 { font-size: 16px; margin: 24px 0 8px; }
h4 { margin: 14px 0 6px; font-size: 14px; }
h5 { margin: 10px 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
pre { margin: 0; padding: 8px 10px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; word-break: break-all; max-height: 480px; overflow: auto; }
.verdict { font-size: 13px; font-weight: 700; padding: 2px 10px; border-radius: 999px; letter-spacing: .05em; }
.verdict.pass { background: var(--pass-bg); color: var(--pass); }
.verdict.fail { background: var(--fail-bg); color: var(--fail); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.stopped { color: var(--fail); font-weight: 600; }
.totals { display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; overflow-x: auto; }
.headline { margin: 0 0 10px; font-size: 15px; }
.findings { margin: 0 0 14px; }
.findings h2 { margin: 8px 0 6px; }
.findings h2 small { font-weight: 400; color: var(--muted); font-size: 13px; }
.finding { border: 1px solid var(--line); border-left: 4px solid var(--should); border-radius: 6px; margin: 4px 0; background: var(--bg); }
.finding.MUST { border-left-color: var(--fail); }
.finding.unexplained { border-left-style: dashed; }
.finding > summary { cursor: pointer; padding: 5px 10px; display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; list-style: none; }
.finding > summary::-webkit-details-marker { display: none; }
.finding > summary::before { content: "▸"; color: var(--muted); }
.finding[open] > summary::before { content: "▾"; }
.finding .id { font-weight: 700; }
.finding .count, .finding .parameter { color: var(--muted); font-size: 12.5px; }
.finding .parameter::before { content: "· "; }
.finding-body { padding: 2px 12px 12px; border-top: 1px solid var(--line); }
.finding-body p { margin: 4px 0; }
.finding-body .cause { font-weight: 600; }
.explained { margin: 4px 0; padding-left: 20px; }
.explained .events { color: var(--muted); overflow-wrap: anywhere; }
table { border-collapse: collapse; }
.tally th, .tally td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: right; font-variant-numeric: tabular-nums; }
.tally th:first-child, .tally td:first-child { text-align: left; }
.tally tr.total td { font-weight: 700; border-top: 2px solid var(--line); }
.n-fail { color: var(--fail); font-weight: 700; }
.filters { position: sticky; top: 0; z-index: 2; background: var(--bg); border-bottom: 1px solid var(--line); padding: 10px 0; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.filters label { display: flex; flex-direction: column; font-size: 11px; color: var(--muted); gap: 2px; }
.filters label[hidden] { display: none; }
.filters select, .filters input { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 5px 8px; min-height: 32px; }
.filters input[type=search] { min-width: 220px; }
.filters .count { margin-left: auto; color: var(--muted); font-size: 12px; }
button { font: inherit; color: var(--accent); background: none; border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; cursor: pointer; }
button:hover { border-color: var(--accent); }
.matrix-wrap { overflow: auto; max-height: 70vh; border: 1px solid var(--line); border-radius: 8px; }
.matrix { width: 100%; font-size: 12.5px; }
.matrix th, .matrix td { padding: 3px 6px; border-bottom: 1px solid var(--line); }
.matrix thead th { position: sticky; top: 0; background: var(--panel); z-index: 1; text-align: center; white-space: nowrap; }
.matrix tbody th { text-align: left; font-weight: 400; white-space: nowrap; position: sticky; left: 0; background: var(--bg); }
.matrix tbody th small { color: var(--muted); margin-left: 6px; }
.matrix td { text-align: center; }
.cell { min-width: 64px; width: 100%; border: 0; border-radius: 4px; padding: 2px 6px; font-variant-numeric: tabular-nums; }
.cell.pass { background: var(--pass-bg); color: var(--pass); }
.cell.fail { background: var(--fail-bg); color: var(--fail); font-weight: 700; }
.cell.skip { background: var(--skip-bg); color: var(--skip); }
.cell.none { background: none; color: var(--line); cursor: default; }
.results { list-style: none; margin: 0; padding: 0; }
.result { border: 1px solid var(--line); border-radius: 8px; margin: 6px 0; background: var(--bg); }
.result > summary { cursor: pointer; padding: 6px 10px; display: flex; gap: 8px; align-items: baseline; list-style: none; flex-wrap: wrap; }
.result > summary::-webkit-details-marker { display: none; }
.result > summary::before { content: "▸"; color: var(--muted); }
.result[open] > summary::before { content: "▾"; }
.result .reason { color: var(--muted); flex: 1 1 240px; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.result[open] .reason { white-space: normal; }
.badge { font-size: 11px; font-weight: 700; border-radius: 4px; padding: 1px 6px; letter-spacing: .03em; }
.badge.pass { background: var(--pass-bg); color: var(--pass); }
.badge.fail { background: var(--fail-bg); color: var(--fail); }
.badge.skip { background: var(--skip-bg); color: var(--skip); }
.badge.MUST { border: 1px solid var(--fail); color: var(--fail); }
.badge.SHOULD { border: 1px solid var(--should); color: var(--should); }
.event { font-weight: 600; }
.result > summary > span { min-width: 0; overflow-wrap: anywhere; }
.panel { padding: 4px 12px 12px; border-top: 1px solid var(--line); }
.exchange { border-top: 1px dashed var(--line); margin-top: 12px; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.headers td { padding: 1px 8px 1px 0; vertical-align: top; overflow-wrap: anywhere; }
.headers td:first-child { color: var(--muted); white-space: nowrap; }
.note { color: var(--muted); font-size: 12px; }
.more { margin: 10px 0; }
.row-actions { display: flex; gap: 6px; margin-top: 4px; }
.empty { color: var(--muted); padding: 12px 0; }
@media (max-width: 760px) {
  main { padding: 10px; }
  .sides { grid-template-columns: 1fr; }
  .filters { position: static; }
  .filters label { width: calc(50% - 4px); }
  .filters label:has(input), .filters select, .filters input[type=search] { width: 100%; min-width: 0; }
  .filters .count { margin-left: 0; }
  h1 { font-size: 18px; }
  .facts { gap: 2px 8px; }
  .tally { font-size: 12.5px; }
  .tally th, .tally td { padding: 3px 5px; }
  .matrix-wrap { max-height: none; }
}
@media print {
  :root { --bg: #fff; --fg: #000; --panel: #fff; --line: #bbb; }
  .filters, button, .more { display: none !important; }
  .matrix-wrap { max-height: none; overflow: visible; border: 0; }
  .matrix thead th, .matrix tbody th { position: static; }
  pre { max-height: none; overflow: visible; }
  .result { break-inside: avoid; }
  a { color: inherit; }
}
`;
