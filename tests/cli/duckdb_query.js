/*
 * tests/cli/duckdb_query.js: run the SQL in the file argv[2] with DuckDB
 * (@duckdb/node-api, found through NODE_PATH) and print each row as one
 * JSON object per line.  For t_duckdb.sh.
 */
'use strict';
const fs = require('fs');
const { DuckDBInstance } = require('@duckdb/node-api');

(async () => {
	const sql = fs.readFileSync(process.argv[2], 'utf8');
	const db = await DuckDBInstance.create(':memory:');
	const c = await db.connect();
	const r = await c.runAndReadAll(sql);
	for (const row of r.getRowObjectsJson())
		process.stdout.write(JSON.stringify(row) + '\n');
})().catch((e) => {
	process.stderr.write('duckdb_query.js: ' + e.message + '\n');
	process.exit(2);
});
