// ser dashboard: renders the board the server pushes (server-sent events) and one call's detail.
// Everything from Kafka is data, never markup: it goes into the page through textContent only.
'use strict';

let board = null;
let skipped = 0; // items the page could not show, counted next to the server's undecodable records
let chart = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

const pct = x => (100 * x).toFixed(0) + ' %';
const secs = ms => (ms / 1000).toFixed(1) + ' s';

function probabilities(m) {
  if (!m.scores) return 'confidence ' + pct(m.confidence) + ' (open the call for every probability)';
  return Object.entries(m.scores).sort((a, b) => b[1] - a[1])
    .map(([label, p]) => label + ' ' + pct(p)).join(', ');
}

function mark(m) {
  const cls = ['mark', 'label-' + m.label];
  if (m.uncertain) cls.push('uncertain');
  if (m.alert) cls.push('alert-at');
  return el('span', {
    class: cls.join(' '), 'data-utterance': m.utteranceId, 'data-label': m.label, 'data-channel': m.channel,
    title: m.channel + ' #' + m.index + ' at ' + secs(m.fromMs) + ': ' + m.label + (m.uncertain ? ' (uncertain)' : '')
      + '\n' + probabilities(m)
  });
}

// one item; a failure to show it is counted, never stops the rest
function safely(f) {
  try {
    return f();
  } catch (e) {
    skipped++;
    return null;
  }
}

function renderBoard() {
  const alerts = document.getElementById('alerts');
  alerts.replaceChildren();
  for (const a of board.openAlerts) {
    const item = safely(() => el('div', { class: 'alert', 'data-alert': a.alertId, 'data-call': a.callId,
      'data-utterance': a.utteranceId || '' },
      'ALERT ', el('a', { href: '#call/' + encodeURIComponent(a.callId), text: a.callId }),
      ' ' + a.channel + ': ' + a.rule.replace('_', ' ').toLowerCase() + ', channel score ' + a.score.toFixed(2)
        + ' at ' + secs(a.timeInCallMs) + ' in the call'));
    if (item) alerts.append(item);
  }
  const rows = document.querySelector('#live tbody');
  rows.replaceChildren();
  for (const c of board.live) {
    const row = safely(() => el('tr', { class: 'call' + (c.openAlert ? ' alerting' : ''), 'data-call': c.callId },
      el('td', {}, el('a', { href: '#call/' + encodeURIComponent(c.callId), text: c.callId })),
      el('td', { class: 'state', text: c.label ? c.label + (c.uncertain ? ' (uncertain)' : '') + ' \u00b7 ' + c.channel : '' }),
      el('td', { class: 'confidence', text: c.confidence !== undefined ? pct(c.confidence) : '' }),
      el('td', { class: 'negative', text: c.negative !== undefined ? c.negative.toFixed(2) : '' }),
      el('td', {}, c.utterances > c.marks.length ? '\u2026 ' : '',
        el('span', { class: 'timeline' }, ...c.marks.map(m => safely(() => mark(m)) || '')))));
    if (row) rows.append(row);
  }
  document.getElementById('no-calls').hidden = board.live.length > 0;
  const ended = document.getElementById('ended');
  ended.replaceChildren();
  for (const c of board.ended) {
    const item = safely(() => el('li', { 'data-call': c.callId },
      el('a', { href: '#call/' + encodeURIComponent(c.callId), text: c.callId }),
      ' ' + c.endReason + (c.durationMs !== undefined ? ', ' + secs(c.durationMs) : '') + ': ',
      ...(c.summary || []).filter(s => s.scored).map(s => el('span', { class: 'summary', 'data-channel': s.channel,
        text: s.channel + ' ' + s.utterances + ' utterances, peak negative ' + s.peakNegativeScore.toFixed(2)
          + ', ' + s.alertsRaised + ' alert(s), ' + s.uncertainEvents + ' uncertain; ' }))));
    if (item) ended.append(item);
  }
  const problems = board.undecodableTotal + skipped;
  document.getElementById('undecodable').textContent = (board.readerProblem
    ? 'not reading Kafka: ' + board.readerProblem + '. ' : '')
    + (problems > 0 ? problems + ' record(s) skipped: could not be read' : '');
}

async function renderDetail(callId) {
  const response = await fetch('/api/calls/' + encodeURIComponent(callId));
  document.getElementById('detail-title').textContent = 'Call ' + callId;
  const meta = document.getElementById('detail-meta');
  const channels = document.getElementById('detail-channels');
  const alerts = document.getElementById('detail-alerts');
  const summary = document.getElementById('detail-summary');
  if (!response.ok) {
    meta.textContent = 'This call is not on the board (it ended more than a window ago, or never was).';
    channels.replaceChildren(); alerts.replaceChildren(); summary.replaceChildren();
    return;
  }
  const c = await response.json();
  meta.textContent = (c.live ? 'in progress' : 'ended: ' + c.endReason) + ' \u00b7 model ' + c.models.join(', ');
  const length = Math.max(1, ...c.marks.map(m => m.toMs));
  channels.replaceChildren(...c.channels.map(ch => el('div', { 'data-channel': ch },
    el('strong', { text: ch }),
    el('div', { class: 'track' }, ...c.marks.filter(m => m.channel === ch).map(m => safely(() => {
      const e = mark(m);
      e.style.left = (100 * m.fromMs / length) + '%';
      e.style.width = (100 * (m.toMs - m.fromMs) / length) + '%';
      return e;
    }) || '')))));
  alerts.replaceChildren(...c.alerts.map(a => el('div', { class: a.cleared ? 'cleared' : 'alert',
    'data-alert': a.alertId, 'data-utterance': a.utteranceId || '',
    text: (a.cleared ? 'alert cleared: ' : 'ALERT ') + a.channel + ' ' + a.rule.replace('_', ' ').toLowerCase()
      + ' at ' + secs(a.timeInCallMs) + ', channel score ' + a.score.toFixed(2) + ' (threshold '
      + a.threshold.toFixed(2) + ')' })));
  summary.replaceChildren(...(c.summary || []).map(s => el('p', { 'data-channel': s.channel,
    text: s.channel + ': ' + s.utterances + ' utterances, ' + secs(s.speechMs) + ' of speech'
      + (s.scored ? ', ' + Object.entries(s.shares).filter(([, v]) => v > 0).map(([k, v]) => k + ' ' + pct(v)).join(', ')
        + '; peak negative ' + s.peakNegativeScore.toFixed(2) + ', ' + s.alertsRaised + ' alert(s)' : ', not scored') })));
  drawChart(c);
}

// negative affect per utterance over the call, one line per channel
function drawChart(c) {
  const box = document.getElementById('detail-chart');
  if (chart) { chart.destroy(); chart = null; }
  if (typeof uPlot === 'undefined' || c.marks.length === 0) return;
  const times = [...new Set(c.marks.map(m => (m.fromMs + m.toMs) / 2000))].sort((a, b) => a - b);
  const series = c.channels.map(ch => times.map(t => {
    const m = c.marks.find(x => x.channel === ch && (x.fromMs + x.toMs) / 2000 === t);
    return m ? m.negative : null;
  }));
  chart = new uPlot({
    width: Math.min(900, box.clientWidth || 900), height: 220, title: 'negative affect per utterance',
    scales: { x: { time: false }, y: { range: [0, 1] } },
    axes: [{ label: 'time in call (s)' }, {}],
    legend: { show: c.channels.length > 1 },
    series: [{ label: 'time in call (s)' }, ...c.channels.map((ch, i) => ({ label: ch, stroke: ['#d93025', '#2f6fd1', '#5bb974'][i % 3],
      points: { show: true }, spanGaps: true }))]
  }, [times, ...series], box);
}

function route() {
  const m = location.hash.match(/^#call\/(.+)$/);
  document.getElementById('board').hidden = !!m;
  document.getElementById('detail').hidden = !m;
  if (m) renderDetail(decodeURIComponent(m[1]));
  else if (board) renderBoard();
}

function connect() {
  const status = document.getElementById('connection');
  const source = new EventSource('/api/updates');
  source.addEventListener('open', () => { status.textContent = 'live'; status.className = 'online'; });
  source.addEventListener('error', () => { status.textContent = 'reconnecting'; status.className = 'offline'; });
  source.addEventListener('board', e => {
    board = JSON.parse(e.data);
    route();
  });
}

window.addEventListener('hashchange', route);
connect();
