/* tests/check_category.c: test records classified by the organize rules. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <tally/category.h>
#include <tally/reader.h>
#include <tally/rules.h>

#include "testutil.h"

static struct tally_rules *
defaults(void)
{
	struct tally_rules *r;
	struct tally_error err;

	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_rules_load(&r, NULL, &err), TALLY_OK);
	return r;
}

static struct tally_rules *
parse(const char *text)
{
	struct tally_rules *r;
	struct tally_error err;

	tally_error_init(&err, "r.yml");
	ck_assert_int_eq(tally_rules_parse(&r, "r.yml", text, strlen(text),
	    &err), TALLY_OK);
	return r;
}

/* The category r gives a test with this file path and classname. */
static const char *
category(const struct tally_rules *r, const char *file, const char *cls)
{
	struct tally_record rec;
	struct tally_error err;
	const char *cat = "unset";

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.u.test.name = "t";
	rec.u.test.file_path = file;
	rec.u.test.classname = cls;
	tally_error_init(&err, "x");
	ck_assert_int_eq(tally_category_of(r, &rec.u.test, &cat, &err),
	    TALLY_OK);
	return cat;
}

static void
check_cat(const struct tally_rules *r, const char *file, const char *cls,
    const char *want, int line)
{
	const char *got = category(r, file, cls);

	if (want == NULL)
		ck_assert_msg(got == NULL, "line %d: got '%s', want none",
		    line, got);
	else
		ck_assert_msg(got != NULL && strcmp(got, want) == 0,
		    "line %d: got '%s', want '%s'", line,
		    got ? got : "(none)", want);
}

#define ck_cat(r, file, cls, want) check_cat(r, file, cls, want, __LINE__)

START_TEST(by_file_path)
{
	struct tally_rules *r = defaults();

	ck_cat(r, "tests/integration/test_api.py", NULL, "integration");
	ck_cat(r, "tests/security/test_tokens.py", NULL, "security");
	ck_cat(r, "./tests/e2e/checkout.spec.ts", NULL, "e2e");
	/* Not yet organized: the name decides. */
	ck_cat(r, "tests/test_benchmark_speed.py", NULL, "performance");
	ck_cat(r, "tests/test_smoke.py", NULL, "smoke");
	ck_cat(r, "tests/login.test.ts", NULL, "unit");	/* the default */
	/* Absolute paths and Windows paths are read from tests/ on. */
	ck_cat(r, "/home/runner/work/app/tests/health/test_up.py", NULL,
	    "health");
	ck_cat(r, "C:\\a\\app\\tests\\validation\\test_x.py", NULL,
	    "validation");
	/* The last tests/ counts: a checkout itself named tests. */
	ck_cat(r, "/src/tests/tests/load/test_many.py", NULL, "load");
	/* The file path wins over the classname. */
	ck_cat(r, "tests/unit/test_db.py", "tests.integration.test_db",
	    "unit");
	tally_rules_free(r);
}
END_TEST

START_TEST(by_dotted_classname)
{
	struct tally_rules *r = defaults();

	ck_cat(r, NULL, "tests.unit.test_parser.TestParser", "unit");
	ck_cat(r, NULL, "tests.integration.test_api", "integration");
	ck_cat(r, "", "tests.security.test_auth.TestAuth", "security");
	ck_cat(r, NULL, "tests.test_api_integration.TestApi", "integration");
	ck_cat(r, NULL, "app.tests.e2e.test_login.TestLogin", "e2e");
	/* A Java class: its simple name decides. */
	ck_cat(r, NULL, "com.example.OrderIntegrationTest", "integration");
	ck_cat(r, NULL, "com.example.OrderTest", "unit");
	tally_rules_free(r);
}
END_TEST

START_TEST(go_package_and_file)
{
	struct tally_rules *r = defaults();

	/* test2json gives the package and a file name relative to it. */
	ck_cat(r, "api_test.go", "example.com/shop/tests/integration",
	    "integration");
	ck_cat(r, "api_security_test.go", "example.com/shop/api", "security");
	ck_cat(r, "calculator_test.go", "_/home/u/reports/go", "unit");
	tally_rules_free(r);
}
END_TEST

START_TEST(unclassified)
{
	struct tally_rules *r = defaults(), *u;

	/* Nothing to classify by. */
	ck_cat(r, NULL, NULL, NULL);
	ck_cat(r, "", "", NULL);
	tally_rules_free(r);
	/* No default: what no rule matches stays without a category. */
	u = parse("categories:\n"
	    "  - {name: api, purpose: API tests}\n"
	    "  - {name: ui, purpose: Browser tests}\n"
	    "rules:\n"
	    "  - {category: api, path: '^api/'}\n"
	    "  - {category: ui, name: '\\.spec\\.ts$'}\n");
	ck_cat(u, "tests/api/test_orders.py", NULL, "api");
	ck_cat(u, NULL, "tests.api.test_orders.TestOrders", "api");
	ck_cat(u, "web/tests/cart.spec.ts", NULL, "ui");
	ck_cat(u, "tests/unit/test_x.py", NULL, NULL);
	ck_cat(u, NULL, "tests.unit.test_x.TestX", NULL);
	tally_rules_free(u);
}
END_TEST

START_TEST(other_tests_dir)
{
	struct tally_rules *r = parse("tests: test/py\n"
	    "categories:\n"
	    "  - {name: slow, purpose: Slow tests}\n"
	    "rules:\n"
	    "  - {category: slow, path: '^slow/'}\n");

	ck_cat(r, "/ci/x/test/py/slow/test_a.py", NULL, "slow");
	ck_cat(r, NULL, "x.test.py.slow.test_a.TestA", "slow");
	ck_cat(r, "tests/slow/test_a.py", NULL, NULL);
	tally_rules_free(r);
}
END_TEST

/* A record sent through the category sink into a capture. */
static void
through_sink(const struct tally_rules *r, const struct tally_record *rec,
    struct capture *c)
{
	struct tally_sink *s;
	struct tally_error err;

	capture_init(c);
	ck_assert_int_eq(tally_category_sink_new(&s, &c->sink, r), TALLY_OK);
	tally_error_init(&err, "x");
	ck_assert_int_eq(tally_sink_record(s, rec, &err), TALLY_OK);
	ck_assert_int_eq(tally_sink_end(s, &err), TALLY_OK);
	ck_assert(c->ended);
	tally_sink_free(s);
}

START_TEST(sink_keeps_a_given_category)
{
	struct tally_rules *r = defaults();
	struct tally_record rec;
	struct capture c;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.u.test.name = "login";
	rec.u.test.file_path = "tests/unit/test_login.py";
	rec.u.test.category = "e2e";
	through_sink(r, &rec, &c);
	ck_assert_uint_eq(capture_count(&c, "\"category\":\"e2e\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"category\":\"unit\""), 0);
	capture_fini(&c);
	/* An empty category says nothing: the rules give one. */
	rec.u.test.category = "";
	through_sink(r, &rec, &c);
	ck_assert_uint_eq(capture_count(&c, "\"category\":\"unit\""), 1);
	capture_fini(&c);
	/* Unclassified: no category field at all. */
	rec.u.test.file_path = NULL;
	rec.u.test.category = NULL;
	through_sink(r, &rec, &c);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_uint_eq(capture_count(&c, "\"category\""), 0);
	capture_fini(&c);
	tally_rules_free(r);
}
END_TEST

START_TEST(sink_passes_other_records)
{
	struct tally_rules *r = defaults();
	struct tally_record rec;
	struct capture c;
	const char *path[] = { "tests.unit.test_x" };

	tally_record_init(&rec, TALLY_REC_SUITE);
	rec.u.suite.path = path;
	rec.u.suite.npath = 1;
	through_sink(r, &rec, &c);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(c.nsuites, 1);
	ck_assert_uint_eq(capture_count(&c, "\"category\""), 0);
	capture_fini(&c);
	tally_rules_free(r);
}
END_TEST

/* Read a fixture through the category sink. */
static int
read_classified(const char *path, const struct tally_rules *r,
    struct capture *c, struct tally_error *err)
{
	struct tally_sink *s;
	int fd, rc;

	capture_init(c);
	ck_assert_int_eq(tally_category_sink_new(&s, &c->sink, r), TALLY_OK);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	tally_error_init(err, path);
	rc = tally_read_fd(fd, path, TALLY_FMT_AUTO, s, err);
	close(fd);
	if (rc == TALLY_OK)
		rc = tally_sink_end(s, err);
	tally_sink_free(s);
	return rc;
}

START_TEST(real_pytest_junit)
{
	static const char *const files[] = {
		"tests/data/category/pytest-7.2-xunit2-categories.xml",
		"tests/data/category/pytest-7.2-xunit1-file-attr.xml",
	};
	struct tally_rules *r = defaults();
	struct tally_error err;
	struct capture c;
	size_t i;

	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(read_classified(files[i], r, &c, &err),
		    TALLY_OK);
		ck_assert_uint_eq(c.ntests, 9);
		ck_assert_uint_eq(capture_count(&c, "\"category\":\"unit\""),
		    4);
		ck_assert_uint_eq(capture_count(&c,
		    "\"category\":\"integration\""), 2);
		ck_assert_uint_eq(capture_count(&c,
		    "\"category\":\"security\""), 2);
		ck_assert_uint_eq(capture_count(&c,
		    "\"category\":\"performance\""), 1);
		/* The failing test is the unit one. */
		ck_assert_uint_eq(capture_count(&c, "\"status\":\"failed\","),
		    1);
		ck_assert_uint_eq(capture_count(&c,
		    "\"name\":\"test_unicode\",\"status\":\"failed\""), 1);
		capture_fini(&c);
	}
	tally_rules_free(r);
}
END_TEST

START_TEST(real_ctrf_type_kept)
{
	struct tally_rules *r = defaults();
	struct tally_error err;
	struct capture c;

	/* Every test there has type e2e and a filePath the rules call unit. */
	ck_assert_int_eq(read_classified(
	    "tests/data/json/ctrf-spec-comprehensive.json", r, &c, &err),
	    TALLY_OK);
	ck_assert_uint_gt(c.ntests, 0);
	ck_assert_uint_eq(capture_count(&c, "\"category\":\"e2e\""),
	    c.ntests);
	capture_fini(&c);
	/*
	 * No type there: the filePath gives one; the one test without a
	 * filePath or classname gets none.
	 */
	ck_assert_int_eq(read_classified(
	    "tests/data/json/ctrf-legacy-jest-ansi-ai.json", r, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 10);
	ck_assert_uint_eq(capture_count(&c, "\"category\":\"unit\""), 9);
	ck_assert_uint_eq(capture_count(&c, "\"category\""), 9);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"should load user "
	    "data\""), 1);
	capture_fini(&c);
	tally_rules_free(r);
}
END_TEST

START_TEST(regex_limit_stops_with_message)
{
	struct tally_rules *r = parse("categories: [{name: u, "
	    "purpose: p}]\nrules:\n  - {category: u, name: '^(a+)+$'}\n");
	struct tally_record rec;
	struct tally_sink *s;
	struct tally_error err;
	struct capture c;
	char name[64];

	memset(name, 'a', 40);
	strcpy(name + 40, "!");
	tally_record_init(&rec, TALLY_REC_TEST);
	rec.u.test.name = "t";
	rec.u.test.file_path = name;
	capture_init(&c);
	ck_assert_int_eq(tally_category_sink_new(&s, &c.sink, r), TALLY_OK);
	tally_error_init(&err, "in.xml");
	ck_assert_int_eq(tally_sink_record(s, &rec, &err), TALLY_ELIMIT);
	ck_assert_msg(strstr(err.message, "match limit exceeded") != NULL,
	    "%s", err.message);
	ck_assert_str_eq(err.file, "in.xml");
	ck_assert_uint_eq(c.n, 0);
	tally_sink_free(s);
	capture_fini(&c);
	tally_rules_free(r);
}
END_TEST

Suite *suite_category(void);

Suite *
suite_category(void)
{
	Suite *s = suite_create("category");
	TCase *tc = tcase_create("category");

	tcase_add_test(tc, by_file_path);
	tcase_add_test(tc, by_dotted_classname);
	tcase_add_test(tc, go_package_and_file);
	tcase_add_test(tc, unclassified);
	tcase_add_test(tc, other_tests_dir);
	tcase_add_test(tc, sink_keeps_a_given_category);
	tcase_add_test(tc, sink_passes_other_records);
	tcase_add_test(tc, real_pytest_junit);
	tcase_add_test(tc, real_ctrf_type_kept);
	tcase_add_test(tc, regex_limit_stops_with_message);
	suite_add_tcase(s, tc);
	return s;
}
