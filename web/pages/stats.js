// Statistics ("thống kê"): a ward or the whole province over a month,
// quarter, year or custom period, each figure beside the same period a year
// before ("so với cùng kỳ"), the solved share ("khám phá x/y vụ, đạt z %"),
// a monthly trend, a bar per category and (province) a table per ward.
// The state is in the hash: #/stats?ward_id=3&period=2025-Q1.  The
// printable report (/report/stats.html), the PDF and the CSV take the same
// query.  All numbers come from the server (ward/ward_stats.c): the page
// computes nothing but layout.
import { ensureStyles, parsePeriod, periodText, fmtNum, today, viDate, loadChart } from '../report/ward-ui.js';
import { dateTimeInput, dayOf, msOfDay } from '../lib/datetime.js';

// A labelled dd/mm/yyyy input for a "YYYY-MM-DD" station day; done(day) on a valid change.
function dayInput(id, day, done, label) {
  const input = dateTimeInput({ id, ms: msOfDay(day) });
  input.addEventListener('change', () => { const ms = input.ms; if (ms != null && !Number.isNaN(ms)) done(dayOf(ms)); });
  const l = document.createElement('label');
  l.append(label, input);
  return l;
}

export default {
  title: 'nav.stats',
  async render(el, ctx) {
    const { api, t, h, ui, qs, lang } = ctx;
    ensureStyles();
    const wards = await ctx.wards();
    const province = ctx.is('admin', 'province');
    const per = parsePeriod(ctx.params.get('period'));
    const wardId = ctx.params.get('ward_id') || (province ? '' : String(ctx.user.ward_id || ''));
    const charts = [];

    const go = () => {
      const p = periodText(per.kind, per);
      if (!p) return;
      ctx.navigate(`#/stats${qs({ ward_id: wardId, period: p })}`);
    };
    const num = (attrs, key) => h('input', { type: 'number', ...attrs, value: per[key], onchange: (e) => { per[key] = Number(e.target.value); go(); } });
    const kindSel = h('select', { id: 'st-kind', onchange: (e) => { per.kind = e.target.value; if (per.kind === 'custom' && !per.from) { const y = today().y; per.from = `${y}-01-01`; per.to = `${y + 1}-01-01`; } go(); } },
      ['month', 'quarter', 'year', 'custom'].map((k) => h('option', { value: k, selected: k === per.kind }, t(`st.kind.${k}`))));
    const periodInputs = h('span', { class: 'filters-inline' });
    if (per.kind === 'month') periodInputs.append(h('label', {}, t('st.month'), num({ id: 'st-month', min: 1, max: 12 }, 'month')));
    if (per.kind === 'quarter') periodInputs.append(h('label', {}, t('st.quarter'), h('select', { id: 'st-quarter', onchange: (e) => { per.quarter = Number(e.target.value); go(); } },
      [1, 2, 3, 4].map((q) => h('option', { value: q, selected: q === per.quarter }, ['I', 'II', 'III', 'IV'][q - 1])))));
    if (per.kind !== 'custom') periodInputs.append(h('label', {}, t('st.year'), num({ id: 'st-year', min: 2000, max: 2100 }, 'year')));
    else {
      periodInputs.append(
        // the console's own date input (dd/mm/yyyy), not the browser's picker
        dayInput('st-from', per.from, (d) => { per.from = d; go(); }, t('st.from')),
        dayInput('st-to', per.to, (d) => { per.to = d; go(); }, t('st.to_excl')));
    }
    const scopeSel = h('select', { id: 'st-scope', disabled: !province, onchange: (e) => ctx.navigate(`#/stats${qs({ ward_id: e.target.value, period: periodText(per.kind, per) })}`) },
      province ? h('option', { value: '' }, t('st.province')) : null,
      wards.map((w) => h('option', { value: w.id, selected: String(w.id) === wardId }, w.name)));

    const query = { ward_id: wardId, period: periodText(per.kind, per), lang };
    const data = await api.get(`/api/v1/stats${qs(query)}`);
    const s = data.stats;
    const tot = s.totals;
    const ch = tot.change;
    const pctClass = (c) => (c && c.diff > 0 ? 'up' : c && c.diff < 0 ? 'down' : '');

    // el.append would write a null as the text "null": optional parts are
    // dropped first.
    el.append(...[
      ui.pageHeader(t('nav.stats'),
        h('a', { class: 'btn', id: 'st-print', target: '_blank', href: `/report/stats.html${qs(query)}` }, t('st.print')),
        h('a', { class: 'btn', id: 'st-pdf', target: '_blank', href: `/api/v1/stats/report.pdf${qs(query)}` }, 'PDF'),
        h('a', { class: 'btn', id: 'st-csv', href: `/api/v1/stats.csv${qs(query)}`, download: '' }, 'CSV')),
      h('div', { class: 'filters' }, h('label', {}, t('st.scope'), scopeSel), h('label', {}, t('st.period'), kindSel), periodInputs),
      h('div', { class: 'summary', id: 'st-title', 'data-partial': s.period.partial ? '1' : '0' },
        h('strong', {}, `${s.scope.name} — ${s.period.full_label}`), ' · ',
        s.has_prev ? t('st.compared', { p: s.prev_period.full_label }) : t('st.no_prev')),
      s.period.partial ? h('div', { class: 'callout warn', id: 'st-partial' }, t('st.partial_note', {
        through: s.period.through_label, pfrom: viDate(s.prev_period.from), pthrough: s.prev_period.through_label })) : null,
      s.period.not_begun ? h('div', { class: 'callout warn', id: 'st-partial' }, t('st.not_begun_note')) : null,
      h('div', { class: 'cards' },
        card(h, t('st.cases'), fmtNum(tot.cur.cases, lang), `${t('st.vs_prev')}: ${ch.cases.diff_text} (${ch.cases.pct_text})`, pctClass(ch.cases), 'st-cases'),
        card(h, t('st.solved'), tot.share.pct == null ? '—' : `${tot.share.pct} %`, tot.share.text, '', 'st-share'),
        card(h, t('st.deaths_injuries'), `${fmtNum(tot.cur.deaths, lang)} / ${fmtNum(tot.cur.injuries, lang)}`,
          `${t('st.vs_prev')}: ${ch.deaths.diff_text} / ${ch.injuries.diff_text}`, pctClass(ch.deaths), 'st-deaths'),
        card(h, t('st.drugs'), `${fmtNum(tot.cur.drug_grams, lang, 1)} g`, `${t('st.suspects')}: ${fmtNum(tot.cur.suspects, lang)}`, '', 'st-drugs')),
      h('div', { class: 'charts' },
        h('div', { class: 'chart-box' }, h('h3', {}, t('st.trend')), h('canvas', { id: 'st-trend-chart' }), trendNote(h, t, data.trend)),
        h('div', { class: 'chart-box' }, h('h3', {}, t('st.by_category')), h('canvas', { id: 'st-cat-chart' }))),
      h('h2', { class: 'section-title' }, t('st.table')),
      h('div', { id: 'st-table' }, ui.table([
        { label: t('st.category'), value: (r) => (lang === 'en' ? r.name_en : r.name_vi) },
        { label: t('st.cases'), value: (r) => fmtNum(r.cur.cases, lang), class: 'num' },
        { label: t('st.prev'), value: (r) => (r.prev ? fmtNum(r.prev.cases, lang) : '—'), class: 'num' },
        { label: t('st.diff'), value: (r) => h('span', { class: pctClass(r.change.cases) }, r.change.cases.diff_text), class: 'num' },
        { label: t('st.pct'), value: (r) => h('span', { class: pctClass(r.change.cases) }, r.change.cases.pct_text), class: 'num' },
        { label: t('st.solved'), value: (r) => (r.solvable ? `${r.share.solved}/${r.share.cases}${r.share.pct == null ? '' : ` (${r.share.pct} %)`}` : ''), class: 'num' },
        { label: t('inc.fig.deaths'), value: (r) => (r.figures.includes('deaths') ? fmtNum(r.cur.deaths, lang) : ''), class: 'num' },
        { label: t('inc.fig.injuries'), value: (r) => (r.figures.includes('injuries') ? fmtNum(r.cur.injuries, lang) : ''), class: 'num' },
        { label: t('inc.fig.suspects'), value: (r) => (r.figures.includes('suspects') ? fmtNum(r.cur.suspects, lang) : ''), class: 'num' },
        { label: t('inc.fig.drug_grams'), value: (r) => (r.figures.includes('drug_grams') ? fmtNum(r.cur.drug_grams, lang, 1) : ''), class: 'num' },
      ], s.categories)),
      h('p', { class: 'muted note-template' }, t('st.rules')),
      data.wards ? h('h2', { class: 'section-title' }, t('st.by_ward')) : null,
      data.wards ? h('div', { id: 'st-wards' }, ui.table([
        { label: t('inc.ward'), value: (r) => h('a', { href: `#/stats${qs({ ward_id: r.ward_id, period: query.period })}` }, r.ward) },
        { label: t('st.cases'), value: (r) => fmtNum(r.cases, lang), class: 'num' },
        { label: t('st.prev'), value: (r) => (r.prev_cases == null ? '—' : fmtNum(r.prev_cases, lang)), class: 'num' },
        { label: t('st.diff'), value: (r) => r.diff_text, class: 'num' },
        { label: t('st.pct'), value: (r) => r.pct_text, class: 'num' },
        { label: t('st.solved'), value: (r) => r.share_text, class: 'num' },
      ], data.wards)) : null].filter((x) => x != null));

    // Charts: drawn after the canvases are in the document.
    try {
      const C = await loadChart();
      // A month not over gets a "*" and a hollow bar (light fill, dashed
      // outline drawn by the plugin below): its count is of fewer days.
      const months = data.trend.map((p) => `${p.month}/${String(p.year).slice(2)}${p.partial ? '*' : ''}`);
      const partialOutline = {
        id: 'partialOutline',
        afterDatasetsDraw(chart) {
          const c = chart.ctx;
          c.save();
          c.setLineDash([4, 3]);
          c.lineWidth = 1.5;
          chart.data.datasets.forEach((ds, di) => chart.getDatasetMeta(di).data.forEach((bar, i) => {
            if (!data.trend[i].partial) return;
            const { x, y, base, width } = bar.getProps(['x', 'y', 'base', 'width'], true);
            c.strokeStyle = di === 1 ? '#1d4ed8' : '#64748b';
            c.strokeRect(x - width / 2, Math.min(y, base), width, Math.abs(base - y) || 1);
          }));
          c.restore();
        },
      };
      charts.push(new C(document.getElementById('st-trend-chart'), {
        type: 'bar',
        plugins: [partialOutline],
        data: { labels: months, datasets: [
          { label: t('st.prev_year'), data: data.trend.map((p) => p.prev_cases), backgroundColor: data.trend.map((p) => (p.partial ? '#eef2f7' : '#cbd5e1')) },
          { label: t('st.this_period'), data: data.trend.map((p) => p.cases), backgroundColor: data.trend.map((p) => (p.partial ? '#bfdbfe' : '#2563eb')) },
        ] },
        options: { animation: false, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } } },
      }));
      charts.push(new C(document.getElementById('st-cat-chart'), {
        type: 'bar',
        data: { labels: s.categories.map((r) => (lang === 'en' ? r.name_en : r.name_vi)), datasets: [
          { label: t('st.prev_year'), data: s.categories.map((r) => (r.prev ? r.prev.cases : 0)), backgroundColor: '#cbd5e1' },
          { label: t('st.this_period'), data: s.categories.map((r) => r.cur.cases), backgroundColor: '#2563eb' },
        ] },
        options: { animation: false, indexAxis: 'y', maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } } },
      }));
    } catch (e) {
      console.error('charts', e);
    }
    el.dataset.ready = '1';
    return () => charts.forEach((c) => c.destroy());
  },
};

// The line under the trend chart naming each partial month (data-partial
// lists them as YYYY-MM for tests and tools).
function trendNote(h, t, trend) {
  const part = trend.filter((p) => p.partial);
  if (!part.length) return null;
  const mm = (p) => `${String(p.month).padStart(2, '0')}/${p.year}`;
  const list = part.map((p) => (p.days ? t('st.partial_month', { m: mm(p), d: `${String(p.days).padStart(2, '0')}/${String(p.month).padStart(2, '0')}` })
    : t('st.month_not_begun', { m: mm(p) }))).join('; ');
  return h('div', { class: 'muted trend-note', id: 'st-trend-note',
    'data-partial': part.map((p) => `${p.year}-${String(p.month).padStart(2, '0')}`).join(',') }, t('st.partial_months', { list }));
}

function card(h, label, value, sub, cls, id) {
  return h('div', { class: 'card', id }, h('div', { class: 'label' }, label),
    h('div', { class: `value ${cls || ''}` }, value), h('div', { class: 'sub' }, sub));
}

