/**
 * The script of the HTML report (inline, hashed into its Content-Security-Policy). It reads the JSON data islands
 * and builds the matrix, the filters and the result list with DOM calls and `textContent` only: no string of the
 * report is ever parsed as HTML. Details (exchanges) sit in chunked islands after this script, parsed only when a
 * result is opened, and the list grows a page at a time, so a run of thousands of results opens at once.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var STATUS = ['pass', 'fail', 'skip'];
  var STATUS_RANK = [2, 0, 1];
  var PAGE = 100;
  var SHOWN_BODY = 65536;
  var NO_SYSTEM = '-';
  var data = JSON.parse(document.getElementById('conformance-data').textContent);
  var checks = data.checks;
  var events = data.events;
  var rows = data.rows;
  var chunks = {};
  var findings = data.findings;
  var state = { suite: '', level: '', status: '', system: '', finding: '', q: '' };
  var shown = PAGE;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function checkOf(row) { return checks[row[0]]; }
  function eventOf(row) { return events[row[1]]; }
  function eventLabel(event) { return event[0] === null ? '(whole endpoint)' : event[0]; }

  var haystacks = [];
  function haystack(index) {
    var text = haystacks[index];
    if (text === undefined) {
      var row = rows[index];
      var check = checkOf(row);
      text = [check[0], check[3], eventLabel(eventOf(row)), eventOf(row)[1] || '', row[3] || ''].join('\n').toLowerCase();
      haystacks[index] = text;
    }
    return text;
  }
  function matches(index) {
    var row = rows[index];
    var check = checkOf(row);
    if (state.suite && check[1] !== state.suite) return false;
    if (state.level && check[2] !== state.level) return false;
    if (state.status && STATUS[row[2]] !== state.status) return false;
    if (state.system && (eventOf(row)[1] || NO_SYSTEM) !== state.system) return false;
    if (state.finding !== '' && row[4] !== Number(state.finding)) return false;
    if (state.q && haystack(index).indexOf(state.q) < 0) return false;
    return true;
  }

  // Filters --------------------------------------------------------------------------------------------------
  function fill(select, values, labels) {
    for (var i = 0; i < values.length; i++) {
      var option = el('option', '', labels ? labels[i] : values[i]);
      option.value = values[i];
      select.appendChild(option);
    }
  }
  var fSuite = document.getElementById('f-suite');
  var fLevel = document.getElementById('f-level');
  var fStatus = document.getElementById('f-status');
  var fSystem = document.getElementById('f-system');
  var fFinding = document.getElementById('f-finding');
  var fSearch = document.getElementById('f-search');
  fill(fSuite, data.suites);
  fill(fLevel, ['MUST', 'SHOULD']);
  fill(fStatus, ['fail', 'pass', 'skip'], ['failed', 'passed', 'skipped']);
  var systems = data.systems.slice();
  var hasNoSystem = events.some(function (event) { return event[1] === null; });
  if (hasNoSystem) systems.push(NO_SYSTEM);
  fill(fSystem, systems, systems.map(function (system) { return system === NO_SYSTEM ? 'endpoint & scenarios' : system; }));
  fill(fFinding, findings.map(function (_, index) { return String(index); }), findings.map(function (finding) { return finding[1] + ' ' + finding[0]; }));
  if (!findings.length) fFinding.parentNode.hidden = true;

  function readFilters() {
    state.suite = fSuite.value;
    state.level = fLevel.value;
    state.status = fStatus.value;
    state.system = fSystem.value;
    state.finding = fFinding.value;
    state.q = fSearch.value.trim().toLowerCase();
  }
  function onFilter() { readFilters(); shown = PAGE; render(); }
  [fSuite, fLevel, fStatus, fSystem, fFinding].forEach(function (select) { select.addEventListener('change', onFilter); });
  var searchTimer = 0;
  fSearch.addEventListener('input', function () { clearTimeout(searchTimer); searchTimer = setTimeout(onFilter, 120); });
  document.getElementById('f-reset').addEventListener('click', function () {
    fSuite.value = fLevel.value = fStatus.value = fSystem.value = fFinding.value = fSearch.value = '';
    onFilter();
  });
  // A finding's button: its results, in the matrix and the list.
  var findingsSection = document.getElementById('findings');
  if (findingsSection) findingsSection.addEventListener('click', function (click) {
    var button = click.target.closest ? click.target.closest('button.show-finding') : null;
    if (!button) return;
    fSuite.value = fLevel.value = fStatus.value = fSystem.value = fSearch.value = '';
    fFinding.value = button.getAttribute('data-finding');
    onFilter();
    document.getElementById('results-title').scrollIntoView({ block: 'start' });
  });

  // Matrix ---------------------------------------------------------------------------------------------------
  var eventOrder = events.map(function (_, index) { return index; });
  eventOrder.sort(function (a, b) {
    var x = events[a], y = events[b];
    var rx = x[0] === null ? 0 : x[1] === null ? 1 : 2, ry = y[0] === null ? 0 : y[1] === null ? 1 : 2;
    if (rx !== ry) return rx - ry;
    var sx = data.systems.indexOf(x[1]), sy = data.systems.indexOf(y[1]);
    if (sx !== sy) return sx - sy;
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0;
  });

  function renderMatrix(visible) {
    var suites = state.suite ? [state.suite] : data.suites;
    var table = el('table', 'matrix');
    var head = add(el('thead'), add(el('tr'), el('th', '', 'event')));
    suites.forEach(function (suite) { head.firstChild.appendChild(el('th', '', suite)); });
    var counts = {};
    for (var i = 0; i < visible.length; i++) {
      var row = rows[visible[i]];
      var key = row[1] + ' ' + checkOf(row)[1];
      var tally = counts[key] || (counts[key] = [0, 0, 0]);
      tally[row[2]]++;
    }
    var body = el('tbody');
    var rowsShown = 0;
    eventOrder.forEach(function (eventIndex) {
      var any = suites.some(function (suite) { return counts[eventIndex + ' ' + suite]; });
      if (!any) return;
      rowsShown++;
      var event = events[eventIndex];
      var line = add(el('tr'), add(el('th', '', eventLabel(event)), event[1] ? el('small', '', event[1]) : null));
      suites.forEach(function (suite) {
        var tally = counts[eventIndex + ' ' + suite];
        var td = el('td');
        if (!tally) {
          add(td, el('span', 'cell none', '·'));
        } else {
          var status = tally[1] ? 1 : tally[0] ? 0 : 2;
          var text = status === 1 ? '✗ ' + tally[1] : status === 0 ? '✓ ' + tally[0] : '– ' + tally[2];
          var button = el('button', 'cell ' + STATUS[status], text);
          button.title = eventLabel(event) + ' · ' + suite + ': ' + tally[0] + ' passed, ' + tally[1] + ' failed, ' + tally[2] + ' skipped';
          button.setAttribute('data-event', String(eventIndex));
          button.setAttribute('data-suite', suite);
          add(td, button);
        }
        line.appendChild(td);
      });
      body.appendChild(line);
    });
    add(table, head, body);
    var wrap = document.getElementById('matrix');
    wrap.replaceChildren(rowsShown ? table : el('p', 'empty', 'No result matches the filters.'));
  }
  document.getElementById('matrix').addEventListener('click', function (click) {
    var button = click.target.closest ? click.target.closest('button.cell') : null;
    if (!button) return;
    var event = events[Number(button.getAttribute('data-event'))];
    fSuite.value = button.getAttribute('data-suite');
    fSearch.value = eventLabel(event);
    onFilter();
    document.getElementById('results-title').scrollIntoView({ block: 'start' });
  });

  // Result list ----------------------------------------------------------------------------------------------
  function detailsOf(index) {
    var chunk = Math.floor(index / data.chunkSize);
    if (!chunks[chunk]) chunks[chunk] = JSON.parse(document.getElementById('conformance-details-' + chunk).textContent);
    return chunks[chunk][index - chunk * data.chunkSize];
  }

  function renderList(visible) {
    var ordered = visible.slice().sort(function (a, b) { return STATUS_RANK[rows[a][2]] - STATUS_RANK[rows[b][2]] || a - b; });
    var list = el('ul', 'results');
    ordered.slice(0, shown).forEach(function (index) { list.appendChild(resultItem(index)); });
    var holder = document.getElementById('results');
    holder.replaceChildren(ordered.length ? list : el('p', 'empty', 'No result matches the filters.'));
    if (ordered.length > shown) {
      var more = el('button', 'more', 'Show ' + Math.min(PAGE, ordered.length - shown) + ' more (' + (ordered.length - shown) + ' not shown)');
      more.addEventListener('click', function () { shown += PAGE; renderList(visible); });
      holder.appendChild(more);
    }
  }

  function resultItem(index) {
    var row = rows[index];
    var check = checkOf(row);
    var status = STATUS[row[2]];
    var item = el('li');
    var details = el('details', 'result ' + status);
    details.setAttribute('data-index', String(index));
    var summary = add(el('summary'),
      el('span', 'badge ' + status, status.toUpperCase()),
      el('span', 'badge ' + check[2], check[2]),
      el('span', 'mono', check[0]),
      el('span', 'event', eventLabel(eventOf(row))),
      el('span', 'reason', row[3] || ''));
    details.appendChild(summary);
    details.addEventListener('toggle', function () {
      if (!details.open || details.getAttribute('data-built')) return;
      details.setAttribute('data-built', '1');
      // The details islands follow this script: opened before the page has finished loading, wait for them.
      var build = function () { details.appendChild(panel(index)); };
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', build, { once: true });
      else build();
    });
    return add(item, details);
  }

  function copyButton(text) {
    var button = el('button', 'copy', 'Copy');
    button.type = 'button';
    button.addEventListener('click', function () {
      var done = function () { button.textContent = 'Copied'; };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, function () { button.textContent = 'Select and copy'; });
    });
    return button;
  }

  function fact(list, term, value) {
    add(list, el('dt', '', term), el('dd', '', value));
  }

  function panel(index) {
    var row = rows[index];
    var check = checkOf(row);
    var detail = detailsOf(index);
    var box = el('div', 'panel');
    var facts = el('dl', 'facts');
    fact(facts, 'Expected', check[3] + ' (' + check[2] + ')');
    fact(facts, 'Why', check[4]);
    fact(facts, STATUS[row[2]] === 'pass' ? 'Result' : 'Got', row[3] || STATUS[row[2]]);
    fact(facts, 'Event', eventLabel(eventOf(row)) + (eventOf(row)[1] ? ' (' + eventOf(row)[1] + ')' : ''));
    if (row[4] >= 0) fact(facts, 'Finding', findings[row[4]][0] + ': ' + findings[row[4]][2]);
    add(box, facts, el('h4', '', 'Reproduce'), el('pre', 'cmd', detail.reproduce), add(el('div', 'row-actions'), copyButton(detail.reproduce)));
    detail.exchanges.forEach(function (exchange) { box.appendChild(exchangeView(exchange)); });
    if (!detail.exchanges.length) box.appendChild(el('p', 'note', 'No delivery was sent for this result.'));
    return box;
  }

  function exchangeView(exchange) {
    var section = el('section', 'exchange');
    var answer = exchange.response ? exchange.response.status + ' in ' + exchange.latencyMs + ' ms' : exchange.error ? exchange.error.kind + ': ' + exchange.error.message : 'no answer';
    add(section, el('h4', '', (exchange.label ? exchange.label + ': ' : '') + exchange.request.method + ' ' + exchange.request.url + ' → ' + answer));
    if (!exchange.request.headers && !(exchange.response && exchange.response.headers)) {
      var sizes = [['request', exchange.request.body], ['response', exchange.response && exchange.response.body]]
        .filter(function (entry) { return entry[1]; })
        .map(function (entry) { return entry[0] + ' body ' + bodyNote(entry[1]); });
      section.appendChild(el('p', 'note', 'Brief record (passes, skips, and failures beyond the first 3 of a check): what was sent and what came back' + (sizes.length ? '; ' + sizes.join('; ') : '') + '.'));
      return section;
    }
    var sides = el('div', 'sides');
    var request = add(el('div'), el('h5', '', 'Request'), headersView(exchange.request.headers), bodyView(exchange.request.body));
    var response = el('div');
    response.appendChild(el('h5', '', 'Response'));
    if (exchange.response) add(response, el('p', 'mono', 'HTTP ' + exchange.response.status), headersView(exchange.response.headers), bodyView(exchange.response.body));
    if (exchange.error) response.appendChild(el('p', 'stopped', exchange.error.kind + ': ' + exchange.error.message));
    add(section, add(sides, request, response));
    if (exchange.curl) add(section, el('h5', '', 'curl'), el('pre', 'cmd', exchange.curl), add(el('div', 'row-actions'), copyButton(exchange.curl)));
    return section;
  }

  function headersView(headers) {
    if (!headers) return null;
    var table = el('table', 'headers mono');
    Object.keys(headers).forEach(function (name) {
      var value = headers[name];
      add(table, add(el('tr'), el('td', '', name), el('td', '', Array.isArray(value) ? value.join(', ') : value)));
    });
    return table;
  }

  function bodyNote(body) {
    return body.bytes + ' bytes' + (body.truncated ? ', cut' : '') + ' · sha256 ' + body.sha256.slice(0, 16) + '…';
  }

  function bodyView(body) {
    if (!body) return null;
    var box = el('div');
    var note = bodyNote(body);
    if (body.omitted) {
      box.appendChild(el('p', 'note', note + ' · not stored'));
      return box;
    }
    if (body.base64 !== undefined) {
      add(box, el('p', 'note', note + ' · not UTF-8, shown as base64'), el('pre', '', body.base64));
      return box;
    }
    var text = body.text;
    var nice = pretty(text);
    var pre = el('pre', '', nice.length > SHOWN_BODY ? nice.slice(0, SHOWN_BODY) : nice);
    add(box, el('p', 'note', note + (nice !== text ? ' · pretty-printed (curl has the exact bytes)' : '')), pre);
    if (nice.length > SHOWN_BODY) {
      var all = el('button', '', 'Show all ' + nice.length + ' characters');
      all.addEventListener('click', function () { pre.textContent = nice; all.remove(); });
      box.appendChild(all);
    }
    return box;
  }

  /** Re-indents JSON text token by token (numbers and strings stay exactly as sent); anything else as it is. */
  function pretty(text) {
    var start = text.replace(/^[\s\ufeff]+/, '').charAt(0);
    if ((start !== '{' && start !== '[') || text.length > 1048576) return text;
    try { JSON.parse(text.replace(/^\ufeff/, '')); } catch (error) { return text; }
    var out = [];
    var depth = 0;
    var inString = false;
    var escaped = false;
    var pad = function (n) { return '\n' + new Array(n + 1).join('  '); };
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      if (inString) {
        out.push(c);
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') { inString = true; out.push(c); }
      else if (c === '{' || c === '[') {
        var j = i + 1;
        while (j < text.length && /\s/.test(text.charAt(j))) j++;
        if (text.charAt(j) === (c === '{' ? '}' : ']')) { out.push(c + text.charAt(j)); i = j; }
        else { depth++; out.push(c + pad(depth)); }
      }
      else if (c === '}' || c === ']') { depth--; out.push(pad(depth) + c); }
      else if (c === ',') out.push(',' + pad(depth));
      else if (c === ':') out.push(': ');
      else if (!/\s/.test(c)) out.push(c);
    }
    return out.join('');
  }

  // Rendering ------------------------------------------------------------------------------------------------
  function render() {
    var visible = [];
    for (var i = 0; i < rows.length; i++) if (matches(i)) visible.push(i);
    renderMatrix(visible);
    renderList(visible);
    var failed = visible.filter(function (index) { return rows[index][2] === 1; }).length;
    document.getElementById('f-count').textContent = visible.length + ' of ' + rows.length + ' results · ' + failed + ' failed';
  }

  render();
  document.documentElement.setAttribute('data-rendered', String(Math.round(performance.now())));
  if (performance.mark) performance.mark('conformance-rendered');
})();
`;
