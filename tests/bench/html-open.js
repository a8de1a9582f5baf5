#!/usr/bin/env node
/*
 * tests/bench/html-open.js URL: how long headless Chromium takes to show
 * a tally HTML report, driven over the DevTools protocol on a pipe (no
 * npm package).  Polls the page every 20 ms from navigation and prints,
 * in milliseconds from Page.navigate:
 *   top      verdict, totals card and the first failure's article are in
 *            the DOM with a layout box (what a reader sees first)
 *   fcp      Chromium's first contentful paint
 *   table    the script's table is up (data-ready-ms is set)
 *   loaded   every row is in the table (data-loaded-ms, or data-ready-ms
 *            on a page whose rows are all inline)
 * A figure for `make bench`, never a pass/fail.  CHROMIUM names the
 * browser (default chromium); TIMEOUT_MS (default 180000) gives up.
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const url = process.argv[2];
if (!url) {
	process.stderr.write('usage: html-open.js URL\n');
	process.exit(2);
}
const limit = +(process.env.TIMEOUT_MS || 180000);
const prof = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-html-open.'));
const ch = spawn(process.env.CHROMIUM || 'chromium', ['--headless',
    '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--remote-debugging-pipe', '--user-data-dir=' + prof,
    '--window-size=1280,900', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
const tx = ch.stdio[3], rx = ch.stdio[4];
let id = 0, buf = '', done = false;
const wait = new Map(), events = [];

function send(method, params, sessionId) {
	const msg = { id: ++id, method, params: params || {} };
	if (sessionId)
		msg.sessionId = sessionId;
	tx.write(JSON.stringify(msg) + '\0');
	return new Promise((ok, bad) => wait.set(msg.id, { ok, bad }));
}
rx.on('data', (d) => {
	buf += d.toString('utf8');
	let z;
	while ((z = buf.indexOf('\0')) >= 0) {
		const m = JSON.parse(buf.slice(0, z));
		buf = buf.slice(z + 1);
		if (m.id && wait.has(m.id)) {
			const w = wait.get(m.id);
			wait.delete(m.id);
			if (m.error)
				w.bad(new Error(m.error.message));
			else
				w.ok(m.result);
		} else if (m.method)
			events.forEach((f) => f(m));
	}
});

function finish(code, line) {
	if (done)
		return;
	done = true;
	if (line)
		process.stdout.write(line + '\n');
	ch.kill();
	fs.rmSync(prof, { recursive: true, force: true });
	process.exit(code);
}
ch.on('exit', () => finish(2, null));

const probe = (top) => `(function () {
	function seen(e) { var r = e && e.getBoundingClientRect(); return !!(r && r.height > 0); }
	var app = document.getElementById('app');
	return JSON.stringify({
		top: ${top} || seen(document.querySelector('.verdict')) &&
		    seen(document.querySelector('#totals .num')) &&
		    (seen(document.getElementById('f1')) ||
		     !!document.querySelector('#failures .none')),
		table: app && app.getAttribute('data-ready-ms'),
		loaded: app && (app.getAttribute('data-loaded-ms') ||
		    (app.hasAttribute('data-loading') ? null :
		    app.getAttribute('data-ready-ms')))
	});
})()`;

(async () => {
	const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
	const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
	await send('Page.enable', {}, sessionId);
	await send('Page.setLifecycleEventsEnabled', { enabled: true }, sessionId);
	const t = {};
	let t0 = 0;
	events.push((m) => {
		if (m.method === 'Page.lifecycleEvent' && m.params.name ===
		    'firstContentfulPaint' && t.fcp === undefined && t0)
			t.fcp = Date.now() - t0;
	});
	t0 = Date.now();
	await send('Page.navigate', { url }, sessionId);
	for (;;) {
		const el = Date.now() - t0;
		if (el > limit)
			finish(1, `timeout after ${el} ms: ${JSON.stringify(t)}`);
		let r;
		try {
			r = await send('Runtime.evaluate', { expression: probe(t.top !== undefined),
			    returnByValue: true }, sessionId);
		} catch (e) {
			r = null;
		}
		const v = r && r.result && typeof r.result.value === 'string' ?
		    JSON.parse(r.result.value) : {};
		const now = Date.now() - t0;
		if (v.top && t.top === undefined)
			t.top = now;
		if (v.table && t.table === undefined)
			t.table = now;
		if (v.loaded && t.loaded === undefined)
			t.loaded = now;
		if (t.top !== undefined && t.loaded !== undefined)
			break;
		await new Promise((ok) => setTimeout(ok, 20));
	}
	finish(0, `top ${t.top} fcp ${t.fcp === undefined ? '-' : t.fcp} ` +
	    `table ${t.table} loaded ${t.loaded}`);
})().catch((e) => finish(2, 'error: ' + e.message));
