/*
 * tests/check_json.c: the one-pass line parser (tally_jline_parse) takes
 * and refuses exactly what tally_json_parse (cJSON and its checks) does,
 * with the same message and position, and reads the same values.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cJSON.h>

#include "jsonline.h"
#include "testutil.h"

/* The kept part of node x in jl against cJSON's tree j. */
static void
same_tree(const struct tally_jline *jl, size_t x, const cJSON *j, int level,
    const char *what)
{
	const struct tally_jnode *n = &jl->node[x];
	const cJSON *c;
	size_t k, count = 0;

	switch (n->type) {
	case TALLY_JNULL:
		ck_assert_msg(cJSON_IsNull(j), "%s: null", what);
		return;
	case TALLY_JFALSE:
		ck_assert_msg(cJSON_IsFalse(j), "%s: false", what);
		return;
	case TALLY_JTRUE:
		ck_assert_msg(cJSON_IsTrue(j), "%s: true", what);
		return;
	case TALLY_JNUMBER:
		ck_assert_msg(cJSON_IsNumber(j) &&
		    memcmp(&n->num, &j->valuedouble, sizeof(double)) == 0,
		    "%s: number %.17g", what, n->num);
		return;
	case TALLY_JSTRING:
		ck_assert_msg(cJSON_IsString(j) &&
		    strcmp(n->str, j->valuestring) == 0, "%s: string '%s'",
		    what, n->str);
		return;
	}
	ck_assert_msg(n->type == TALLY_JARRAY ? cJSON_IsArray(j) :
	    cJSON_IsObject(j), "%s: container", what);
	if (level >= TALLY_JLINE_KEEP) {
		ck_assert_msg(n->n == 0 && n->end == x + 1, "%s: kept", what);
		return;
	}
	for (k = x + 1, c = j->child; c != NULL; c = c->next, count++) {
		ck_assert_msg(k < n->end, "%s: too few members", what);
		if (n->type == TALLY_JOBJECT)
			ck_assert_msg(strcmp(jl->node[k].key, c->string) == 0,
			    "%s: key '%s'", what, jl->node[k].key);
		else
			ck_assert_msg(jl->node[k].key == NULL, "%s: key", what);
		same_tree(jl, k, c, level + 1, what);
		k = jl->node[k].end;
	}
	ck_assert_msg(k == n->end && count == n->n, "%s: too many members",
	    what);
}

/* buf[0..len) (NUL-terminated by the caller) both ways; 1 if accepted. */
static int
agree(struct tally_jline *jl, const char *buf, size_t len, const char *what)
{
	struct tally_error e1, e2;
	cJSON *j = NULL;
	int r1, r2;

	tally_error_init(&e1, "x");
	tally_error_init(&e2, "x");
	r1 = tally_json_parse(buf, len, 7, &j, &e1);
	r2 = tally_jline_parse(jl, buf, len, 7, &e2);
	ck_assert_msg(r1 == r2, "%s: status %d, cJSON %d (%s)", what, r2, r1,
	    e1.message);
	if (r1 != TALLY_OK) {
		ck_assert_msg(strcmp(e1.message, e2.message) == 0 &&
		    e1.line == e2.line && e1.column == e2.column,
		    "%s: %ld:%ld %s, cJSON %ld:%ld %s", what, e2.line,
		    e2.column, e2.message, e1.line, e1.column, e1.message);
		return 0;
	}
	same_tree(jl, 0, j, 0, what);
	cJSON_Delete(j);
	return 1;
}

static int
agree_str(struct tally_jline *jl, const char *s)
{
	return agree(jl, s, strlen(s), s);
}

/* Each of cJSON's oddities, and each fault, where it happens. */
START_TEST(jline_agrees_on_edges)
{
	static const char *const in[] = {
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a\",\"status\":\"passed\"}",
	    "  {\"a\" : [ 1 , 2 ] }  ", "\x0b{\"a\":\f1}\r", "\r", "\x0b",
	    "\xEF\xBB\xBF{\"a\":1}", "\xEF\xBB\xBF", "\xEF\xBB\xBF" "1",
	    "01", "-0", "1.", "[1.e5]", "-", "-x", "1e", "[1e]", "[.5]",
	    "[+1]", "[1.5.3]", "0x10", "1e999", "[-1e999]", "1e-999",
	    "123456789012345", "1234567890123456789", "0.1",
	    "1000000000000000000000000000000000000000000000000000000000000000"
	    "0000000001.5",
	    "null", "nul", "true", "tru", "false", "fals", "[null,true,false]",
	    "\"abc", "\"abc\\", "\"\\x\"", "\"\\uD800\"", "\"\\uDC00\"",
	    "\"\\uD800\\u0041\"", "\"\\uD83D\\uDE00\"", "\"\\u12\"",
	    "\"a\\u00zzb\"", "\"\\u00e9\\/\\b\\f\\n\\r\\t\\\"\\\\\"",
	    "\"\x01\xff\xc3\"", "\"a\\u0000b\"", "\"a\\\\u0000b\"",
	    "\"\\uzz\\u0000\"", "[\"\\u0000\" x", "{", "[", "\"", "{\"a\"",
	    "{\"a\":", "{\"a\":1,", "[1,]", "{\"a\":1,}", "{a:1}",
	    "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1 2]", "{} x", "{}\x01",
	    "{\"a\":1,\"a\":2}", "{\"\":1,\"\":2}",
	    "{\"x\":{\"b\":1,\"b\":2},\"a\":1,\"a\":2}",
	    "{\"x\":{\"b\":1,\"b\":2},\"y\":1e999}",
	    "{\"y\":1e999,\"x\":{\"b\":1,\"b\":2}}",
	    "{\"b\":1,\"a\":1,\"b\":2,\"a\":2}",
	    "{\"k1\":1,\"k2\":1,\"k3\":1,\"k4\":1,\"k5\":1,\"k6\":1,\"k7\":1,"
	    "\"k8\":1,\"k9\":1,\"zz\":1,\"k5\":2,\"zz\":3}",
	    "{\"k1\":1,\"k2\":1,\"k3\":1,\"k4\":1,\"k5\":1,\"k6\":1,\"k7\":1,"
	    "\"k8\":1,\"k9\":1,\"k10\":1}",
	    "{\"a\\u00zzb\":1,\"a\\u00zzc\":2}",
	    "{\"\\u001b[31m\":1,\"\\u001b[31m\":2}",
	    "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1,\"e\":2}}}}}",
	    "{\"a\":{\"b\":{\"c\":{\"d\":[1e999]}}}}",
	    "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":\"\\u0000\"}}}}}",
	    "{\"a\":[{\"b\":[{\"c\":\"d\"}]}],\"e\":{\"f\":{\"g\":{}}}}",
	};
	struct tally_jline jl;
	size_t i;

	tally_jline_init(&jl);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		agree_str(&jl, in[i]);
	/* Raw NUL bytes, where cJSON would stop reading. */
	agree(&jl, "{\"a\":\"b\0\"}", 10, "raw NUL");
	agree(&jl, "{\"a\":1}\0x", 9, "NUL after");
	agree(&jl, "[1,\0", 4, "NUL in a fault");
	tally_jline_free(&jl);
}
END_TEST

/* Nesting: the limit, cJSON's own (1000) and faults around them. */
START_TEST(jline_agrees_on_depth)
{
	static const int depth[] = { 3, 4, 5, 63, 64, 65, 66, 999, 1000,
	    1001, 3000 };
	static const char *const tail[] = { "", ",\"a\":1}", ",\"b\":1e999}",
	    ",\"b\":\"\\u0000\"}", " x", ",\"a\":{\"c\":1,\"c\":1}}" };
	struct tally_jline jl;
	struct tally_buf b;
	size_t i, t;
	int k;

	tally_jline_init(&jl);
	tally_buf_init(&b);
	for (i = 0; i < sizeof(depth) / sizeof(depth[0]); i++)
		for (t = 0; t < sizeof(tail) / sizeof(tail[0]); t++) {
			tally_buf_reset(&b);
			tally_buf_adds(&b, "{\"a\":");
			for (k = 1; k < depth[i]; k++)
				tally_buf_adds(&b, k % 3 ? "[" :
				    "{\"a\":1,\"a\":");
			for (k = depth[i] - 1; k > 0; k--)
				tally_buf_adds(&b, k % 3 ? "]" : "}");
			tally_buf_adds(&b, *tail[t] ? tail[t] : "}");
			agree(&jl, b.data, b.len, b.data);
			/* And cut short before its end. */
			b.data[b.len / 2] = '\0';
			agree(&jl, b.data, b.len / 2, "cut");
		}
	tally_buf_free(&b);
	tally_jline_free(&jl);
}
END_TEST

/*
 * Many small edits of real records (a fixed seed: the same cases every
 * run), each read both ways.
 */
START_TEST(jline_agrees_on_mutations)
{
	static const char *const seed[] = {
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a \\\"q\\\" \\u0001\","
	    "\"status\":\"failed\",\"duration\":1.5,\"suite\":[\"o\",\"i\"],"
	    "\"line\":12,\"message\":\"m\\nx\",\"flaky\":true,"
	    "\"retryAttempts\":[{\"status\":\"failed\",\"duration\":2}],"
	    "\"properties\":[{\"name\":\"k\",\"value\":\"v\"}],"
	    "\"labels\":{\"py\":\"3.11\"}}",
	    "{\"v\":1,\"type\":\"meta\",\"meta\":{\"a\":\"b\",\"c\":\"d\","
	    "\"e\":\"f\",\"g\":\"h\",\"i\":\"j\",\"k\":\"l\",\"m\":\"n\","
	    "\"o\":\"p\",\"q\":\"r\"}}",
	    "{\"v\":1,\"type\":\"diff\",\"x\":[\"\\uD83D\\uDE00\",\"\\u00e9\"],"
	    "\"n\":-0.25e-3,\"o\":{\"p\":[[{\"q\":null}]]}}",
	};
	static const char *const tok[] = {
	    "\\u0000", "\\u00zz", "\\uD800", "\\uDC00", "\\\\", "\\\"", "\\",
	    "\"", "{", "}", "[", "]", ",", ":", "\r", "\x01", "\xff",
	    "\xEF\xBB\xBF", " ", "1e999", "01", "1.", "-", "null", "tru",
	    "\"a\":1,\"a\":2", "[[[[[[[[", "]]]]]]]]",
	};
	struct tally_jline jl;
	struct tally_buf b;
	unsigned long r = 12345;
	size_t i;
	int ok = 0;

	tally_jline_init(&jl);
	tally_buf_init(&b);
	for (i = 0; i < 20000; i++) {
		tally_buf_reset(&b);
		tally_buf_adds(&b, seed[i % 3]);
		mutate(&b, &r, tok, sizeof(tok) / sizeof(tok[0]),
		    1 + (int)(i % 3));
		ok += agree(&jl, b.data, b.len, b.data);
	}
	/* The edits leave some lines good and break most. */
	ck_assert_int_gt(ok, 1000);
	ck_assert_int_lt(ok, 19000);
	tally_buf_free(&b);
	tally_jline_free(&jl);
}
END_TEST

Suite *suite_json(void);

Suite *
suite_json(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, jline_agrees_on_edges);
	tcase_add_test(tc, jline_agrees_on_depth);
	tcase_add_test(tc, jline_agrees_on_mutations);
	suite_add_tcase(s, tc);
	return s;
}
