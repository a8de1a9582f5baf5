/*
 * tally HTML report: the table of every test, with search, filters and
 * sorting kept in the URL fragment (#status=failed&q=timeout).  Data comes
 * from the JSON block read with textContent and JSON.parse; every element
 * is made with createElement and textContent, never innerHTML.  Only the
 * rows in view exist in the DOM, and a test's details only once asked.
 */
(function () {
	'use strict';
	var src = document.getElementById('tally-data'), D;
	/* Where report.js came from: the data parts lie beside it. */
	var me = document.currentScript, base = me && me.src ?
	    me.src.replace(/[^\/]*$/, '') : '';
	if (!src || !document.getElementById('app'))
		return;
	try {
		D = JSON.parse(src.textContent);
	} catch (e) {
		return;
	}
	document.documentElement.classList.add('js');

	var ST = ['passed', 'failed', 'skipped', 'pending', 'other'];
	var RANK = [5, 0, 3, 4, 1];
	var NAME = 0, CLS = 1, SUITE = 2, STAT = 3, DUR = 4, CAT = 5, SRC = 6,
	    LSET = 7, FILE = 8, LINE = 9, RETR = 10, FLAKY = 11, DET = 12;
	/*
	 * With --split-assets the page holds the failed and flaky rows only,
	 * "at" giving their places; the other rows come from D.parts script
	 * files (report-data-0001.js, ...), part p holding the rest of rows
	 * (p-1)*D.part to p*D.part-1, each a call tallyRows(p, rows).
	 */
	var N = D.at ? D.n : D.tests.length, T = D.at ? new Array(N) : D.tests;
	var INL = D.at ? new Uint8Array(N) : null;
	var NP = D.at ? D.parts : 0, got = 0, bad = 0, ROWH = 34, OVER = 12;
	/* Compact rows: the class name is an index into strs, and the rarer
	 * fields from LSET on are left out at their defaults. */
	var DEF = [-1, -1, 0, 0, 0, 0];
	function unpack(t) {
		t[CLS] = t[CLS] >= 0 ? D.strs[t[CLS]] : '';
		for (var j = t.length; j <= DET; j++)
			t[j] = DEF[j - LSET];
		return t;
	}
	(function () {
		var i;
		if (D.at) {
			for (i = 0; i < D.at.length && D.at[i] < N; i++) {
				T[D.at[i]] = unpack(D.tests[i]);
				INL[D.at[i]] = 1;
			}
		} else
			for (i = 0; i < N; i++)
				unpack(T[i]);
	})();
	var KEYS = ['status', 'category', 'suite', 'label', 'change', 'q', 'sort', 'dir', 'test'];
	/* A diff stream: each test's change, an index into D.changes. */
	var CHG = D.change || null, CHN = D.changes || [];
	var $ = function (id) { return document.getElementById(id); };
	var app = $('app'), q = $('q'), body = $('gbody'), rows = $('rows'),
	    spacer = $('spacer'), shown = $('shown'), detail = $('detail');
	var sel = { status: $('f-status'), category: $('f-category'),
	    suite: $('f-suite'), label: $('f-label') };
	if ($('f-change'))
		sel.change = $('f-change');
	var state = {}, view = [], hay = null, drawn = '', fmt;

	fmt = function (n) { return n.toLocaleString('en-US'); };
	var catName = D.cats.map(function (c) { return c === '' ? 'uncategorized' : c; });
	var suiteName = D.suites.map(function (s) { return s === '' ? '(no suite)' : s; });
	var labelName = D.labels.map(function (l) { return l[0] + '=' + l[1]; });

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text !== undefined && text !== null)
			e.textContent = vis(text);
		return e;
	}

	/* Controls and bidi overrides shown, as the server side does. */
	function vis(s) {
		return String(s).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, function (c) {
			return String.fromCharCode(0x2400 + (c === '\u007f' ? 0x21 : c.charCodeAt(0)));
		}).replace(/[\u0080-\u009f]/g, '\ufffd').replace(/[\u202a-\u202e\u2066-\u2069]/g, function (c) {
			return '<U+' + c.charCodeAt(0).toString(16).toUpperCase() + '>';
		});
	}

	/* ANSI SGR colours through the same fixed class whitelist; other
	 * escape sequences are dropped. */
	function ansi(parent, s) {
		var re = /\u001b(?:\[([0-?]*)[ -\/]*([@-~])|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[\s\S]?)/g;
		var last = 0, m, fg = -1, b = 0, it = 0, u = 0, cur = parent;
		function text(t) {
			if (t)
				cur.appendChild(document.createTextNode(vis(t)));
		}
		while ((m = re.exec(s)) !== null) {
			text(s.slice(last, m.index));
			last = re.lastIndex;
			if (m[0].charAt(1) !== '[' || m[2] !== 'm')
				continue;
			var ps = m[1].split(';'), arg = 0, k, v, c = [];
			for (k = 0; k < ps.length; k++) {
				v = parseInt(ps[k] || '0', 10);
				if (arg < 0)
					arg = v === 5 ? 1 : v === 2 ? 3 : 0;
				else if (arg > 0)
					arg--;
				else if (v === 0) { fg = -1; b = it = u = 0; }
				else if (v === 1) b = 1;
				else if (v === 3) it = 1;
				else if (v === 4) u = 1;
				else if (v === 22) b = 0;
				else if (v === 23) it = 0;
				else if (v === 24) u = 0;
				else if (v >= 30 && v <= 37) fg = v - 30;
				else if (v >= 90 && v <= 97) fg = v - 82;
				else if (v === 39) fg = -1;
				else if (v === 38 || v === 48) arg = -1;
			}
			if (fg >= 0) c.push('a-f' + fg);
			if (b) c.push('a-b');
			if (it) c.push('a-i');
			if (u) c.push('a-u');
			if (c.length) {
				cur = el('span', c.join(' '));
				parent.appendChild(cur);
			} else
				cur = parent;
		}
		text(s.slice(last));
	}

	function ms(d) {
		if (d < 0)
			return '\u2013';
		if (d < 10)
			return d.toFixed(1) + ' ms';
		if (d < 1000)
			return Math.round(d) + ' ms';
		if (d < 60000)
			return (d / 1000).toFixed(2) + ' s';
		var s = Math.floor(d / 1000);
		return Math.floor(s / 60) + ' min ' + ('0' + s % 60).slice(-2) + ' s';
	}

	function options(select, names) {
		var order = names.map(function (n, i) { return i; });
		order.sort(function (a, b) { return names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0; });
		order.forEach(function (i) {
			var o = el('option', null, names[i]);
			o.value = names[i];
			select.appendChild(o);
		});
	}
	/* The breakdown tables' names become filter buttons. */
	document.querySelectorAll('button.flt').forEach(function (b) { b.disabled = false; });
	options(sel.category, catName);
	options(sel.suite, suiteName);
	options(sel.label, labelName);
	if (sel.change)
		options(sel.change, CHN);

	function readHash() {
		var h = location.hash.replace(/^#/, ''), p;
		if (h.indexOf('=') < 0)
			return false;
		p = new URLSearchParams(h);
		KEYS.forEach(function (k) { state[k] = p.get(k) || ''; });
		return true;
	}

	function writeHash() {
		var p = new URLSearchParams(), h;
		KEYS.forEach(function (k) { if (state[k]) p.set(k, state[k]); });
		h = p.toString();
		try {
			history.replaceState(null, '', h ? '#' + h : location.pathname + location.search);
		} catch (e) {
			location.replace('#' + h);
		}
	}

	/* What a search looks in, made once per row when first needed. */
	function hayOf(i) {
		if (hay[i] === undefined) {
			var t = T[i], x = t[DET] || {};
			hay[i] = (t[NAME] + '\n' + t[CLS] + '\n' + D.suites[t[SUITE]] + '\n' +
			    (x.m || '') + '\n' + (x.y || '') + '\n' + (t[FILE] >= 0 ? D.strs[t[FILE]] : '')).toLowerCase();
		}
		return hay[i];
	}

	/* The rows from..to-1 that pass the filters, sorted; with fresh,
	 * the ones that came in a part only. */
	function filter(from, to, fresh) {
		var st = state.status, terms = state.q.toLowerCase().split(/\s+/).filter(Boolean);
		var cat = catName.indexOf(state.category), su = suiteName.indexOf(state.suite),
		    lab = labelName.indexOf(state.label), out = [], i, k, t;
		if (terms.length && !hay)
			hay = new Array(N);
		rows: for (i = from || 0; i < (to || N); i++) {
			if ((t = T[i]) === undefined || fresh && INL[i])
				continue;
			if (st === 'flaky') { if (!t[FLAKY]) continue; }
			else if (st === 'retried') { if (!t[RETR]) continue; }
			else if (st && ST[t[STAT]] !== st) continue;
			if (state.category && t[CAT] !== cat) continue;
			if (state.suite && t[SUITE] !== su) continue;
			if (state.label && (t[LSET] < 0 || D.lsets[t[LSET]].indexOf(lab) < 0)) continue;
			if (state.change && (!CHG || CHN[CHG[i]] !== state.change)) continue;
			for (k = 0; k < terms.length; k++)
				if (hayOf(i).indexOf(terms[k]) < 0)
					continue rows;
			out.push(i);
		}
		sortView(out);
		return out;
	}

	function rank(t) { return t[FLAKY] && t[STAT] === 0 ? 2 : RANK[t[STAT]]; }

	/* The order of the view: a key per row, ties by place. */
	var keyv = null;
	function order() {
		var key = state.sort, dir = state.dir === 'desc' ? -1 : 1, f;
		if (key === 'name') f = function (t) { return t[NAME]; };
		else if (key === 'suite') f = function (t) { return D.suites[t[SUITE]]; };
		else if (key === 'category') f = function (t) { return D.cats[t[CAT]]; };
		else if (key === 'duration') f = function (t) { return t[DUR]; };
		else if (key === 'status') f = rank;
		else { f = rank; dir = 1; }
		return { f: f, cmp: function (a, b) {
			var x = keyv[a], y = keyv[b];
			return x < y ? -dir : x > y ? dir : a - b;
		} };
	}

	function sortView(v) {
		var o = order();
		if (!keyv)
			keyv = new Array(N);
		v.forEach(function (i) { keyv[i] = o.f(T[i]); });
		v.sort(o.cmp);
	}

	/* Rows from..to-1 came in: the ones that match merged into view. */
	function addRows(from, to) {
		var add = filter(from, to, true), cmp = order().cmp, out, i = 0, j = 0;
		if (!add.length)
			return;
		out = new Array(view.length + add.length);
		while (i < view.length && j < add.length)
			out[i + j] = cmp(view[i], add[j]) <= 0 ? view[i++] : add[j++];
		while (i < view.length)
			out[i + j] = view[i++];
		while (j < add.length)
			out[i + j] = add[j++];
		view = out;
	}

	/* "Showing", and how many parts are still to come. */
	function showing() {
		var s = 'Showing ' + fmt(view.length) + ' of ' + fmt(N) + (N === 1 ? ' test' : ' tests');
		if (got + bad < NP)
			s += ' (loading ' + fmt(got + bad + 1) + ' of ' + fmt(NP) + (NP === 1 ? ' part)' : ' parts)');
		if (bad)
			s += ' \u2014 ' + fmt(bad) + (bad === 1 ? ' part' : ' parts') +
			    ' of the data could not be loaded';
		shown.textContent = s;
	}

	function apply() {
		q.value = state.q;
		Object.keys(sel).forEach(function (k) { sel[k].value = state[k]; });
		document.querySelectorAll('.ghead button[data-sort]').forEach(function (b) {
			var k = b.getAttribute('data-sort'), h = b.parentNode;
			h.setAttribute('aria-sort', state.sort === k ?
			    (state.dir === 'desc' ? 'descending' : 'ascending') : 'none');
		});
		keyv = null;
		view = filter();
		body.scrollTop = 0;
		redraw();
		showDetail(state.test === '' ? -1 : parseInt(state.test, 10));
	}

	/* The view changed: its size, the rows in sight. */
	function redraw() {
		$('grid').setAttribute('aria-rowcount', String(view.length + 1));
		spacer.style.height = (view.length * ROWH) + 'px';
		body.style.height = (Math.max(1, Math.min(view.length,
		    Math.floor(Math.min(window.innerHeight * 0.7, 640) / ROWH))) * ROWH) + 'px';
		showing();
		drawn = '';
		draw();
	}

	function row(i, pos) {
		var t = T[i], r = el('div', 'grow'), c, b;
		r.setAttribute('role', 'row');
		r.setAttribute('aria-rowindex', String(pos + 2));
		r.setAttribute('data-i', String(i));
		r.setAttribute('data-pos', String(pos));
		if (String(i) === state.test)
			r.className += ' sel';
		c = el('div', 'c-st');
		c.appendChild(el('span', 'st st-' + ST[t[STAT]], ST[t[STAT]]));
		r.appendChild(c);
		c = el('div', 'c-name');
		b = el('button', null, t[NAME] || '(unnamed)');
		b.type = 'button';
		b.title = vis((t[CLS] ? t[CLS] + ' \u203a ' : '') + t[NAME]);
		c.appendChild(b);
		if (t[FLAKY])
			c.appendChild(el('span', 'tag flaky', 'flaky'));
		if (CHG && CHG[i] >= 0 && CHN[CHG[i]] !== 'unchanged')
			c.appendChild(el('span', 'tag chg-' + CHN[CHG[i]], CHN[CHG[i]]));
		r.appendChild(c);
		r.appendChild(el('div', 'c-suite', D.suites[t[SUITE]]));
		r.appendChild(el('div', 'c-cat', D.cats[t[CAT]]));
		c = el('div', 'c-lab');
		if (t[LSET] >= 0)
			D.lsets[t[LSET]].forEach(function (l) { c.appendChild(el('span', 'tag lab', labelName[l])); });
		r.appendChild(c);
		r.appendChild(el('div', 'c-dur', ms(t[DUR])));
		r.childNodes.forEach(function (x) { x.setAttribute('role', 'cell'); });
		return r;
	}

	function draw() {
		var top = body.scrollTop, h = body.clientHeight || 600;
		var first = Math.max(0, Math.floor(top / ROWH) - OVER);
		var last = Math.min(view.length, Math.ceil((top + h) / ROWH) + OVER);
		var key = first + ':' + last, focus = document.activeElement, fi = -1, i, f;
		if (key === drawn)
			return;
		drawn = key;
		if (focus && rows.contains(focus))
			fi = focus.closest('[role=row]').getAttribute('data-pos');
		f = document.createDocumentFragment();
		for (i = first; i < last; i++)
			f.appendChild(row(view[i], i));
		rows.textContent = '';
		rows.style.transform = 'translateY(' + (first * ROWH) + 'px)';
		if (view.length === 0)
			rows.appendChild(el('div', 'empty', 'No test matches these filters.'));
		rows.appendChild(f);
		if (fi !== -1)
			focusRow(+fi);
	}

	function focusRow(pos) {
		var r = rows.querySelector('[data-pos="' + pos + '"] button');
		if (r)
			r.focus({ preventScroll: true });
	}

	function detailBlock(parent, title, text, cls, open) {
		if (!text)
			return;
		var d = el('details', 'out'), s = el('summary', null, title), p = el('pre', cls);
		var n = text.split('\n').length;
		s.appendChild(el('span', 'dim', ' (' + n + (n === 1 ? ' line)' : ' lines)')));
		d.appendChild(s);
		ansi(p, text);
		d.appendChild(p);
		d.open = !!open;
		parent.appendChild(d);
	}

	function message(parent, type, msg) {
		if (!type && !msg)
			return;
		var p = el('pre', 'msg');
		if (type) {
			p.appendChild(el('span', 'etype', type));
			if (msg)
				p.appendChild(document.createTextNode(': '));
		}
		if (msg)
			ansi(p, msg);
		parent.appendChild(p);
	}

	function showDetail(i) {
		detail.textContent = '';
		if (!(i >= 0 && i < N && T[i])) {
			detail.hidden = true;
			return;
		}
		var t = T[i], x = t[DET] || {}, a = el('article', 'test s-' + ST[t[STAT]]), h = el('h3'),
		    w = el('p', 'where'), bad = t[STAT] === 1 || t[STAT] === 4, close;
		h.appendChild(el('span', 'st st-' + ST[t[STAT]], ST[t[STAT]]));
		h.appendChild(document.createTextNode(' '));
		h.appendChild(el('span', 'name', t[NAME]));
		if (x.r)
			h.appendChild(el('span', 'tag raw', x.r));
		if (t[FLAKY])
			h.appendChild(el('span', 'tag flaky', 'flaky'));
		if (t[RETR])
			h.appendChild(el('span', 'tag', t[RETR] + (t[RETR] === 1 ? ' retry' : ' retries')));
		close = el('button', 'close', 'Close');
		close.type = 'button';
		close.addEventListener('click', function () { state.test = ''; writeHash(); showDetail(-1); draw(); });
		a.appendChild(close);
		a.appendChild(h);
		if (D.suites[t[SUITE]])
			w.appendChild(el('span', 'suite', D.suites[t[SUITE]]));
		if (t[CLS])
			w.appendChild(el('span', 'cls', t[CLS]));
		if (t[FILE] >= 0)
			w.appendChild(el('code', 'file', D.strs[t[FILE]] + (t[LINE] ? ':' + t[LINE] : '')));
		w.appendChild(el('span', 'dur', ms(t[DUR])));
		if (D.cats[t[CAT]])
			w.appendChild(el('span', 'tag cat', D.cats[t[CAT]]));
		if (t[LSET] >= 0)
			D.lsets[t[LSET]].forEach(function (l) { w.appendChild(el('span', 'tag lab', labelName[l])); });
		if (t[SRC] >= 0)
			w.appendChild(el('span', 'dim', 'from ' + D.strs[t[SRC]]));
		a.appendChild(w);
		message(a, x.y, x.m);
		detailBlock(a, 'Stack trace', x.t, 'trace', bad);
		detailBlock(a, 'stdout', x.o, 'log', false);
		detailBlock(a, 'stderr', x.e, 'log', false);
		if (x.a && x.a.length) {
			var d = el('details', 'attempts'), s = el('summary', null, 'Earlier attempts '),
			    ol = el('ol');
			s.appendChild(el('span', 'dim', '(' + x.a.length + ')'));
			d.appendChild(s);
			d.open = true;
			x.a.forEach(function (at) {
				var li = el('li');
				li.appendChild(el('span', 'st st-' + ST[at.s], ST[at.s]));
				li.appendChild(el('span', 'dur', ' ' + ms(at.d)));
				message(li, at.y, at.m);
				detailBlock(li, 'Stack trace', at.t, 'trace', false);
				detailBlock(li, 'stdout', at.o, 'log', false);
				detailBlock(li, 'stderr', at.e, 'log', false);
				ol.appendChild(li);
			});
			d.appendChild(ol);
			a.appendChild(d);
		}
		if (x.q && x.q.length) {
			var tb = el('table', 'props'), tbody = el('tbody');
			tb.appendChild(el('caption', null, 'Properties'));
			x.q.forEach(function (kv) {
				var tr = el('tr');
				tr.appendChild(el('th', null, kv[0]));
				tr.appendChild(el('td', null, kv[1]));
				tbody.appendChild(tr);
			});
			tb.appendChild(tbody);
			a.appendChild(tb);
		}
		detail.appendChild(a);
		detail.hidden = false;
	}

	function set(k, v, scroll) {
		state[k] = v;
		if (k !== 'test')
			state.test = '';
		writeHash();
		apply();
		if (scroll)
			$('all').scrollIntoView();
	}

	/* Events. */
	var timer = 0;
	q.addEventListener('input', function () {
		clearTimeout(timer);
		timer = setTimeout(function () { set('q', q.value); }, N > 20000 ? 200 : 60);
	});
	Object.keys(sel).forEach(function (k) {
		sel[k].addEventListener('change', function () { set(k, sel[k].value); });
	});
	$('filters').addEventListener('submit', function (e) { e.preventDefault(); });
	$('filters').addEventListener('reset', function (e) {
		e.preventDefault();
		KEYS.forEach(function (k) { state[k] = ''; });
		writeHash();
		apply();
	});
	document.querySelectorAll('.ghead button').forEach(function (b) {
		b.addEventListener('click', function () {
			var k = b.getAttribute('data-sort');
			if (state.sort === k)
				state.dir = state.dir === 'desc' ? '' : 'desc';
			else {
				state.sort = k;
				state.dir = k === 'duration' ? 'desc' : '';
			}
			writeHash();
			apply();
		});
	});
	body.addEventListener('scroll', function () { requestAnimationFrame(draw); }, { passive: true });
	rows.addEventListener('click', function (e) {
		var b = e.target.closest('.c-name button');
		if (!b)
			return;
		var r = b.closest('[role=row]');
		state.test = r.getAttribute('data-i');
		writeHash();
		rows.querySelectorAll('.sel').forEach(function (x) { x.classList.remove('sel'); });
		r.classList.add('sel');
		showDetail(+state.test);
		detail.scrollIntoView({ block: 'nearest' });
	});
	rows.addEventListener('keydown', function (e) {
		if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End')
			return;
		var r = e.target.closest('[role=row]');
		if (!r)
			return;
		var pos = +r.getAttribute('data-pos');
		pos = e.key === 'ArrowDown' ? pos + 1 : e.key === 'ArrowUp' ? pos - 1 :
		    e.key === 'Home' ? 0 : view.length - 1;
		if (pos < 0 || pos >= view.length)
			return;
		e.preventDefault();
		if (pos * ROWH < body.scrollTop)
			body.scrollTop = pos * ROWH;
		else if ((pos + 1) * ROWH > body.scrollTop + body.clientHeight)
			body.scrollTop = (pos + 1) * ROWH - body.clientHeight;
		draw();
		focusRow(pos);
	});
	document.addEventListener('click', function (e) {
		var b = e.target.closest && e.target.closest('button.flt');
		if (!b)
			return;
		var f = b.getAttribute('data-f'), v = +b.getAttribute('data-v');
		set(f, f === 'category' ? catName[v] : f === 'suite' ? suiteName[v] : labelName[v], true);
	});
	document.addEventListener('keydown', function (e) {
		var t = e.target.tagName;
		if (e.key === '/' && t !== 'INPUT' && t !== 'SELECT' && t !== 'TEXTAREA') {
			e.preventDefault();
			q.focus();
		}
	});
	window.addEventListener('hashchange', function () {
		if (readHash()) {
			apply();
			$('all').scrollIntoView();
		}
	});
	window.addEventListener('beforeprint', function () {
		document.querySelectorAll('#failures details').forEach(function (d) { d.open = true; });
	});

	KEYS.forEach(function (k) { state[k] = ''; });
	$('nojs').remove();
	app.hidden = false;
	var fromHash = readHash();
	apply();
	if (fromHash)
		$('all').scrollIntoView();
	/* How long the table took to come up, for the record. */
	app.setAttribute('data-ready-ms', String(Math.round(performance.now())));
	if (!NP) {
		app.setAttribute('data-loaded-ms', app.getAttribute('data-ready-ms'));
		return;
	}

	/* The parts, two at a time, in order.  Each one's rows are merged
	 * into the view as they come; the scroll position stays. */
	var next = 1, done = {};
	function arrived(p) {
		if (done[p]) {
			addRows((p - 1) * D.part, Math.min(N, p * D.part));
			if (state.test !== '' && detail.hidden)
				showDetail(parseInt(state.test, 10));
		}
		redraw();
		if (got + bad === NP) {
			app.removeAttribute('data-loading');
			app.setAttribute('data-loaded-ms', String(Math.round(performance.now())));
		}
		fetchPart();
	}
	window.tallyRows = function (p, rows) {
		var i, j = 0, end;
		if (!(p >= 1 && p <= NP) || !Array.isArray(rows) || done[p])
			return;
		done[p] = true;
		end = Math.min(N, p * D.part);
		for (i = (p - 1) * D.part; i < end && j < rows.length; i++)
			if (T[i] === undefined)
				T[i] = unpack(rows[j++]);
	};
	function fetchPart() {
		if (next > NP)
			return;
		var p = next++, s = document.createElement('script');
		s.src = base + 'report-data-' + ('000' + p).slice(-Math.max(4, String(p).length)) + '.js';
		/* A part that loaded but did not call tallyRows counts as lost. */
		s.onload = function () { s.remove(); if (done[p]) got++; else bad++; arrived(p); };
		s.onerror = function () { s.remove(); bad++; arrived(p); };
		document.body.appendChild(s);
	}
	app.setAttribute('data-loading', '');
	fetchPart();
	fetchPart();
})();
