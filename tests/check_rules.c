/* tests/check_rules.c: the organize rules: YAML schema, PCRE2, classes. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include <tally/rules.h>

static struct tally_rules *
parse(const char *text, struct tally_error *err, int *rc)
{
	struct tally_rules *r = NULL;

	tally_error_init(err, "r.yml");
	*rc = tally_rules_parse(&r, "r.yml", text, strlen(text), err);
	return r;
}

/* The error rules text gives: status, line, column, message. */
static void
fails(const char *text, long line, long col, const char *msg)
{
	struct tally_error err;
	struct tally_rules *r;
	int rc;

	r = parse(text, &err, &rc);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(rc, TALLY_EPARSE);
	ck_assert_msg(strstr(err.message, msg) != NULL, "'%s' lacks '%s'",
	    err.message, msg);
	ck_assert_int_eq(err.line, line);
	ck_assert_int_eq(err.column, col);
	ck_assert_str_eq(err.file, "r.yml");
}

START_TEST(defaults_load)
{
	struct tally_rules *r;
	struct tally_error err;
	static const char *const names[] = { "unit", "integration",
	    "performance", "security", "validation", "e2e", "load", "health",
	    "smoke" };
	size_t i;

	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_rules_load(&r, NULL, &err), TALLY_OK);
	ck_assert_str_eq(tally_rules_tests_dir(r), "tests");
	ck_assert_uint_eq(tally_rules_ncategories(r), 9);
	for (i = 0; i < 9; i++) {
		ck_assert_str_eq(tally_rules_category(r, i)->name, names[i]);
		ck_assert_str_eq(tally_rules_category(r, i)->marker,
		    "__init__.py");
		ck_assert_ptr_nonnull(tally_rules_category(r, i)->purpose);
	}
	ck_assert_ptr_null(tally_rules_category(r, 9));
	tally_rules_free(r);
}
END_TEST

START_TEST(select_tests_and_exclusions)
{
	static const struct { const char *path; int isdir, what; } cases[] = {
		{ "test_a.py", 0, TALLY_RULES_TEST },
		{ "a_test.py", 0, TALLY_RULES_TEST },
		{ "sub/locustfile.py", 0, TALLY_RULES_TEST },
		{ "web/cart.spec.ts", 0, TALLY_RULES_TEST },
		{ "web/cart.test.jsx", 0, TALLY_RULES_TEST },
		{ "test_a\nb.py", 0, TALLY_RULES_TEST },
		{ "conftest.py", 0, TALLY_RULES_EXCLUDED },
		{ "unit/__init__.py", 0, TALLY_RULES_EXCLUDED },
		{ "fixtures", 1, TALLY_RULES_EXCLUDED },
		{ "a/data", 1, TALLY_RULES_EXCLUDED },
		{ "fixtures/test_x.py", 0, TALLY_RULES_EXCLUDED },
		{ ".hidden", 1, TALLY_RULES_EXCLUDED },
		{ "integration", 1, TALLY_RULES_OTHER },
		{ "helpers.py", 0, TALLY_RULES_OTHER },
		{ "testing.py", 0, TALLY_RULES_OTHER },
		{ "README.md", 0, TALLY_RULES_OTHER },
	};
	struct tally_rules *r;
	struct tally_error err;
	size_t i;
	int what;

	ck_assert_int_eq(tally_rules_load(&r, NULL, &err), TALLY_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(tally_rules_select(r, cases[i].path,
		    cases[i].isdir, &what, &err), TALLY_OK);
		ck_assert_msg(what == cases[i].what, "%s: %d, wanted %d",
		    cases[i].path, what, cases[i].what);
	}
	tally_rules_free(r);
}
END_TEST

struct text {
	const char	*s;
	int		 calls;
	int		 fail;
};

static int
content(void *arg, const char **data, size_t *len, struct tally_error *err)
{
	struct text *t = arg;

	t->calls++;
	if (t->fail)
		return tally_error_set(err, TALLY_EIO, 0, 0, "cannot read");
	*data = t->s;
	*len = strlen(t->s);
	return TALLY_OK;
}

static const char *
category_of(struct tally_rules *r, const char *path, struct text *t)
{
	const struct tally_category *c;
	struct tally_error err;

	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_rules_match(r, path, content, t, &c, &err),
	    TALLY_OK);
	return c ? c->name : NULL;
}

START_TEST(match_by_name_then_content)
{
	static const struct { const char *path, *text, *cat; int calls; }
	    cases[] = {
		{ "test_precision_math.py", "", "validation", 0 },
		{ "test_pipeline_integration.py", "", "integration", 0 },
		{ "test_security_hardening_comprehensive.py", "", "security",
		    0 },
		{ "test_production_performance.py", "", "performance", 0 },
		{ "test_BENCHMARK_x.py", "", "performance", 0 },
		{ "locustfile.py", "", "load", 0 },
		{ "test_e2e_login.py", "", "e2e", 0 },
		{ "test_end_to_end.py", "", "e2e", 0 },
		{ "test_smoke.py", "", "smoke", 0 },
		{ "test_health.py", "", "health", 0 },
		{ "test_api.py", "import x\nfrom locust import task\n", "load",
		    1 },
		{ "test_api.py", "class U(HttpUser):\n", "load", 1 },
		{ "test_ui.py", "from selenium import webdriver\n", "e2e", 1 },
		{ "checkout.spec.ts",
		    "import { test } from '@playwright/test';\n", "e2e", 1 },
		{ "test_db.py", "@pytest.mark.integration\ndef test(): pass\n",
		    "integration", 1 },
		{ "test_db.py", "@pytest.mark.integrations\n", "unit", 1 },
		{ "test_x.py", "@pytest.mark.smoke\n", "smoke", 1 },
		{ "security/test_x.py", "", "security", 1 },
		{ "test_util.py", "def test(): pass\n", "unit", 1 },
		{ "test_bin.py", "\xff\xfe\x00from locust import x", "unit",
		    1 },
		/* Placed by hand: a name does not move it, content does. */
		{ "unit/test_integration_parser.py", "", "unit", 1 },
		{ "smoke/test_health.py", "", "smoke", 1 },
		{ "unit/test_db.py", "@pytest.mark.integration\n",
		    "integration", 1 },
		{ "unit/test_security_x.py", "@pytest.mark.unit\n", "unit", 1 },
	};
	struct tally_rules *r;
	struct tally_error err;
	struct text t;
	size_t i;

	ck_assert_int_eq(tally_rules_load(&r, NULL, &err), TALLY_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&t, 0, sizeof(t));
		t.s = cases[i].text;
		ck_assert_str_eq(category_of(r, cases[i].path, &t),
		    cases[i].cat);
		ck_assert_msg(t.calls == cases[i].calls, "%s: %d reads",
		    cases[i].path, t.calls);
	}
	tally_rules_free(r);
}
END_TEST

START_TEST(content_error_passes_through)
{
	const struct tally_category *c;
	struct tally_rules *r;
	struct tally_error err;
	struct text t = { "", 0, 1 };

	ck_assert_int_eq(tally_rules_load(&r, NULL, &err), TALLY_OK);
	ck_assert_int_eq(tally_rules_match(r, "test_x.py", content, &t, &c,
	    &err), TALLY_EIO);
	ck_assert_str_eq(err.message, "cannot read");
	/* Without a content reader, content rules never match. */
	ck_assert_int_eq(tally_rules_match(r, "test_x.py", NULL, NULL, &c,
	    &err), TALLY_OK);
	ck_assert_str_eq(c->name, "unit");
	tally_rules_free(r);
}
END_TEST

START_TEST(classify_paths_and_classnames)
{
	static const struct { const char *in, *cat; } cases[] = {
		{ "tests/test_pipeline_integration.py", "integration" },
		{ "./tests/integration/test_api.py", "integration" },
		{ "test_smoke.py", "smoke" },
		{ "locustfile.py", "load" },
		{ "tests.test_pipeline_integration.TestPipeline",
		    "integration" },
		{ "tests.security.test_auth.TestLogin.test_x", "security" },
		{ "tests.test_utils", "unit" },
		{ "app.models.User", "unit" },
		{ "web/checkout.e2e.spec.ts", "e2e" },
	};
	struct tally_rules *r;
	struct tally_error err;
	const char *cat;
	size_t i;

	ck_assert_int_eq(tally_rules_load(&r, NULL, &err), TALLY_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(tally_rules_classify(r, cases[i].in, &cat,
		    &err), TALLY_OK);
		ck_assert_msg(cat != NULL && strcmp(cat, cases[i].cat) == 0,
		    "%s: %s, wanted %s", cases[i].in, cat ? cat : "(none)",
		    cases[i].cat);
	}
	tally_rules_free(r);
}
END_TEST

START_TEST(user_rules)
{
	const char *text =
	    "version: 1\n"
	    "tests: spec\n"
	    "include: ['\\.py$']\n"
	    "exclude: []\n"
	    "categories:\n"
	    "  - name: api\n"
	    "    dir: integration/api\n"
	    "    purpose: \"API tests\"\n"
	    "  - {name: misc, purpose: Misc, marker: keep.txt, command: make}\n"
	    "rules:\n"
	    "  - category: api\n"
	    "    path: '^web/'\n"
	    "    name: '_api'\n";
	const struct tally_category *c;
	struct tally_rules *r;
	struct tally_error err;
	int rc, what;

	r = parse(text, &err, &rc);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_str_eq(tally_rules_tests_dir(r), "spec");
	c = tally_rules_category(r, 0);
	ck_assert_str_eq(c->dir, "integration/api");
	ck_assert_ptr_null(c->marker);
	ck_assert_str_eq(c->command, "python -m pytest spec/integration/api");
	c = tally_rules_category(r, 1);
	ck_assert_str_eq(c->dir, "misc");
	ck_assert_str_eq(c->marker, "keep.txt");
	ck_assert_str_eq(c->command, "make");
	/* An empty exclude list stays empty. */
	ck_assert_int_eq(tally_rules_select(r, "conftest.py", 0, &what, &err),
	    TALLY_OK);
	ck_assert_int_eq(what, TALLY_RULES_TEST);
	ck_assert_int_eq(tally_rules_select(r, "x.js", 0, &what, &err),
	    TALLY_OK);
	ck_assert_int_eq(what, TALLY_RULES_OTHER);
	/* Both patterns must match; no default: no category. */
	ck_assert_int_eq(tally_rules_match(r, "web/x_api.py", NULL, NULL, &c,
	    &err), TALLY_OK);
	ck_assert_str_eq(c->name, "api");
	ck_assert_int_eq(tally_rules_match(r, "x_api.py", NULL, NULL, &c,
	    &err), TALLY_OK);
	ck_assert_ptr_null(c);
	tally_rules_free(r);

	/* Without include and exclude, the built-in lists apply. */
	r = parse("categories: [{name: u, purpose: p}]\n", &err, &rc);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_int_eq(tally_rules_select(r, "conftest.py", 0, &what, &err),
	    TALLY_OK);
	ck_assert_int_eq(what, TALLY_RULES_EXCLUDED);
	tally_rules_free(r);
}
END_TEST

START_TEST(bad_rules_name_line_and_column)
{
	fails("", 1, 1, "empty rules file");
	fails("- a\n", 1, 1, "'rules file' must be a mapping, not a list");
	fails("categories: []\nextra: 1\n", 2, 1,
	    "unknown key 'extra' in rules file");
	fails("categories:\n  - name: u\n    purpose: p\n    dest: x\n", 4, 5,
	    "unknown key 'dest' in category");
	fails("categories:\n  - name: u\n    purpose: p\nrules:\n"
	    "  - category: u\n    nmae: x\n", 6, 5, "unknown key 'nmae' in rule");
	fails("categories:\n  - name: u\n    purpose: p\nrules:\n"
	    "  - category: u\n    name: '(a'\n", 6, 11,
	    "bad regex at offset 2: missing closing parenthesis");
	fails("categories:\n  - name: u\n    purpose: p\nrules:\n"
	    "  - category: u\n", 5, 5, "rule needs 'path', 'name' or 'content'");
	fails("categories:\n  - name: u\n    purpose: p\nrules:\n"
	    "  - name: x\n", 5, 5, "rule needs a 'category'");
	fails("categories:\n  - name: u\n", 2, 5,
	    "category needs 'name' and 'purpose'");
	fails("categories:\n  - {name: u, purpose: p}\n  - {name: u, purpose: q}\n",
	    3, 5, "category 'u' repeats the name or directory of 'u'");
	fails("categories:\n  - {name: u/v, purpose: p}\n", 2, 12,
	    "'name' must be a relative path without '.' or '..' and without '/'");
	fails("categories:\n  - {name: u, dir: /etc, purpose: p}\n", 2, 20,
	    "'dir' must be a relative path");
	fails("categories:\n  - {name: u, marker: ../x, purpose: p}\n", 2, 23,
	    "'marker' must be a relative path");
	fails("categories:\n  - {name: u, purpose: \"a\\nb\"}\n", 2, 24,
	    "'purpose' must be one line of text");
	fails("version: 2\ncategories: []\n", 1, 10, "unsupported version");
	fails("categories: []\ndefault: x\n", 2, 10, "unknown category 'x'");
	fails("categories: x\n", 1, 13, "'categories' must be a list");
	fails("categories: &a []\n", 1, 13, "anchors and aliases are not allowed");
	fails("a: &x b\nc: *x\n", 1, 4, "anchors and aliases are not allowed");
	fails("categories: !!seq []\n", 1, 13, "tags are not allowed");
	fails("categories: []\ncategories: []\n", 2, 1,
	    "duplicate key 'categories'");
	fails("categories: []\n---\ncategories: []\n", 2, 1,
	    "more than one YAML document");
	fails("{[a]: b}\n", 1, 2, "a key must be a plain string");
	fails("categories: [[[[[[[[[[[[1]]]]]]]]]]]]\n", 1, 20,
	    "nesting too deep");
	fails("categories:\n\t- a\n", 2, 1,
	    "found character that cannot start any token");
	fails("categories: [1, 2\n", 2, 1, "did not find expected ',' or ']'");
	fails("categories: \"\xff\"\n", 1, 1, "invalid leading UTF-8 octet");
	fails("tests: '../up'\ncategories: []\n", 1, 8,
	    "'tests' must be a relative path");
	fails("categories:\n  - {name: u, purpose: p}\nrules:\n"
	    "  - {category: u, name: '\\C'}\n", 4, 25,
	    "bad regex at offset 2: using \\C is disabled");
}
END_TEST

START_TEST(pathological_regex_fails_fast)
{
	const char *text = "categories: [{name: u, purpose: p}]\n"
	    "rules:\n  - {category: u, name: '^(a+)+$'}\n";
	const struct tally_category *c;
	struct tally_rules *r;
	struct tally_error err;
	char subject[64];
	clock_t t0;
	int rc;

	r = parse(text, &err, &rc);
	ck_assert_int_eq(rc, TALLY_OK);
	memset(subject, 'a', 40);
	strcpy(subject + 40, "!");
	t0 = clock();
	rc = tally_rules_match(r, subject, NULL, NULL, &c, &err);
	ck_assert_int_eq(rc, TALLY_ELIMIT);
	ck_assert_msg(strstr(err.message, "match limit exceeded") != NULL,
	    "%s", err.message);
	ck_assert_msg(strstr(err.message, "rules line 3") != NULL, "%s",
	    err.message);
	ck_assert_msg(clock() - t0 < 5 * CLOCKS_PER_SEC, "took too long");
	tally_rules_free(r);
}
END_TEST

/* Triage categories: first match wins, all of a category's patterns. */
START_TEST(triage_categories)
{
	const char *text = "triage:\n"
	    "  - name: Timeouts\n"
	    "    type: 'Timeout'\n"
	    "  - name: Database down\n"
	    "    message: '(?i)connection refused'\n"
	    "    trace: '^\\s+at db\\.'\n"
	    "  - name: Timeouts\n"
	    "    message: 'timed out after \\d+'\n";
	struct tally_rules *r;
	struct tally_error err;
	const char *name;
	int rc;

	/* No test categories needed for triage alone. */
	r = parse(text, &err, &rc);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_uint_eq(tally_rules_ntriage(r), 3);
	ck_assert_uint_eq(tally_rules_ncategories(r), 0);
	ck_assert_int_eq(tally_rules_triage(r, "socket.TimeoutError", "x",
	    NULL, &name, &err), TALLY_OK);
	ck_assert_str_eq(name, "Timeouts");
	/* Message and trace must both match; the trace line by line. */
	ck_assert_int_eq(tally_rules_triage(r, "E", "Connection Refused",
	    "Traceback:\n  at db.open\n", &name, &err), TALLY_OK);
	ck_assert_str_eq(name, "Database down");
	ck_assert_int_eq(tally_rules_triage(r, "E", "Connection Refused",
	    "Traceback:\n  at http.get\n", &name, &err), TALLY_OK);
	ck_assert_ptr_null(name);
	/* A pattern on an absent field does not match. */
	ck_assert_int_eq(tally_rules_triage(r, "E", "connection refused",
	    NULL, &name, &err), TALLY_OK);
	ck_assert_ptr_null(name);
	ck_assert_int_eq(tally_rules_triage(r, NULL, "timed out after 30s",
	    NULL, &name, &err), TALLY_OK);
	ck_assert_str_eq(name, "Timeouts");
	ck_assert_int_eq(tally_rules_triage(r, NULL, NULL, NULL, &name, &err),
	    TALLY_OK);
	ck_assert_ptr_null(name);
	tally_rules_free(r);

	/* Alongside test categories; none there is none here. */
	r = parse("categories: [{name: u, purpose: p}]\n", &err, &rc);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_uint_eq(tally_rules_ntriage(r), 0);
	ck_assert_int_eq(tally_rules_triage(r, "T", "m", "t", &name, &err),
	    TALLY_OK);
	ck_assert_ptr_null(name);
	tally_rules_free(r);

	fails("triage:\n  - name: T\n    message: '(a'\n", 3, 14,
	    "bad regex at offset 2: missing closing parenthesis");
	fails("triage:\n  - name: T\n", 2, 5,
	    "triage category needs 'message', 'type' or 'trace'");
	fails("triage:\n  - message: x\n", 2, 5,
	    "triage category needs a 'name'");
	fails("triage:\n  - {name: T, stack: x}\n", 2, 15,
	    "unknown key 'stack' in triage category");
	fails("triage:\n  - {name: \"a\\nb\", type: x}\n", 2, 12,
	    "'name' must be one line of text");
	fails("triage: x\n", 1, 9, "'triage' must be a list");
	fails("triage: [x]\n", 1, 10,
	    "'triage category' must be a mapping, not a string");
}
END_TEST

START_TEST(triage_pathological_regex_fails_fast)
{
	const char *text = "triage:\n  - {name: T, message: '^(a+)+$'}\n";
	struct tally_rules *r;
	struct tally_error err;
	const char *name;
	char subject[64];
	int rc;

	r = parse(text, &err, &rc);
	ck_assert_int_eq(rc, TALLY_OK);
	memset(subject, 'a', 40);
	strcpy(subject + 40, "!");
	rc = tally_rules_triage(r, NULL, subject, NULL, &name, &err);
	ck_assert_int_eq(rc, TALLY_ELIMIT);
	ck_assert_ptr_null(name);
	ck_assert_msg(strstr(err.message, "rules line 2") != NULL, "%s",
	    err.message);
	ck_assert_str_eq(err.file, "r.yml");
	ck_assert_int_eq(err.line, 2);
	tally_rules_free(r);
}
END_TEST

START_TEST(default_text_is_the_defaults)
{
	struct tally_rules *a, *b;
	struct tally_error err;
	const char *text = tally_rules_default_text();
	size_t i;

	ck_assert_int_eq(tally_rules_load(&a, NULL, &err), TALLY_OK);
	ck_assert_int_eq(tally_rules_parse(&b, "x.yml", text, strlen(text),
	    &err), TALLY_OK);
	ck_assert_uint_eq(tally_rules_ncategories(a),
	    tally_rules_ncategories(b));
	for (i = 0; i < tally_rules_ncategories(a); i++)
		ck_assert_str_eq(tally_rules_category(a, i)->command,
		    tally_rules_category(b, i)->command);
	tally_rules_free(a);
	tally_rules_free(b);
	tally_rules_free(NULL);
}
END_TEST

START_TEST(load_errors)
{
	struct tally_rules *r;
	struct tally_error err;

	tally_error_init(&err, "tests/data/organize/none.yml");
	ck_assert_int_eq(tally_rules_load(&r, "tests/data/organize/none.yml",
	    &err), TALLY_EIO);
	ck_assert_ptr_null(r);
	tally_error_init(&err, "tests/data/organize");
	ck_assert_int_eq(tally_rules_load(&r, "tests/data/organize", &err),
	    TALLY_EINVAL);
}
END_TEST

Suite *suite_rules(void);

Suite *
suite_rules(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, defaults_load);
	tcase_add_test(tc, select_tests_and_exclusions);
	tcase_add_test(tc, match_by_name_then_content);
	tcase_add_test(tc, content_error_passes_through);
	tcase_add_test(tc, classify_paths_and_classnames);
	tcase_add_test(tc, user_rules);
	tcase_add_test(tc, bad_rules_name_line_and_column);
	tcase_add_test(tc, pathological_regex_fails_fast);
	tcase_add_test(tc, triage_categories);
	tcase_add_test(tc, triage_pathological_regex_fails_fast);
	tcase_add_test(tc, default_text_is_the_defaults);
	tcase_add_test(tc, load_errors);
	suite_add_tcase(s, tc);
	return s;
}
