/* tests/check_organize.c: plan, apply, undo and journal recovery. */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <tally/organize.h>
#include <tally/rules.h>

#include "testutil.h"

/* What the callbacks saw. */
struct seen {
	char	lines[64][256];
	size_t	n;
	size_t	errors, warnings;
	char	last[2048];
};

static void
on_action(void *arg, const struct tally_organize_action *a)
{
	struct seen *s = arg;

	if (s->n < 64)
		snprintf(s->lines[s->n++], sizeof(s->lines[0]), "%s%s %s%s%s",
		    a->undo ? "undo " : "", a->kind == TALLY_ORGANIZE_MKDIR ?
		    "mkdir" : a->kind == TALLY_ORGANIZE_MARKER ? "marker" :
		    "move", a->path, a->dest ? " " : "", a->dest ? a->dest : "");
}

static void
on_diag(void *arg, int status, const struct tally_error *err)
{
	struct seen *s = arg;

	if (status != TALLY_OK)
		s->errors++;
	else
		s->warnings++;
	snprintf(s->last, sizeof(s->last), "%s: %s", err->file, err->message);
}

static int
seen_has(const struct seen *s, const char *line)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->lines[i], line) == 0)
			return 1;
	return 0;
}

static char root[64];

static void
put(const char *rel, const char *text)
{
	write_file(root, rel, text);
}

static int
exists(const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return lstat(path, &st) == 0;
}

static void
setup(void)
{
	char path[128];

	strcpy(root, "/tmp/tally-check-organize.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/tests", root);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	put("tests/test_a_integration.py", "a\n");
	put("tests/test_b.py", "b\n");
	put("tests/conftest.py", "c\n");
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

static int
organize(enum tally_organize_mode mode, struct seen *s, size_t *n,
    struct tally_error *err)
{
	struct tally_organize_opts o;
	struct tally_rules *r;
	int rc;

	memset(s, 0, sizeof(*s));
	memset(&o, 0, sizeof(o));
	tally_error_init(err, NULL);
	ck_assert_int_eq(tally_rules_load(&r, NULL, err), TALLY_OK);
	o.root = root;
	o.rules = r;
	o.action = on_action;
	o.diag = on_diag;
	o.arg = s;
	rc = tally_organize(&o, mode, n, err);
	tally_rules_free(r);
	return rc;
}

START_TEST(plan_changes_nothing)
{
	struct tally_error err;
	struct seen s;
	size_t n;

	ck_assert_int_eq(organize(TALLY_ORGANIZE_PLAN, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(s.n, 6);
	ck_assert(seen_has(&s, "mkdir tests/unit"));
	ck_assert(seen_has(&s, "marker tests/unit/__init__.py"));
	ck_assert(seen_has(&s, "mkdir tests/integration"));
	ck_assert(seen_has(&s, "move tests/test_a_integration.py "
	    "tests/integration/test_a_integration.py"));
	ck_assert(seen_has(&s, "move tests/test_b.py tests/unit/test_b.py"));
	ck_assert(!exists("tests/unit"));
	ck_assert(!exists(".tally"));
	ck_assert_int_eq(organize(TALLY_ORGANIZE_CHECK, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 6);
}
END_TEST

START_TEST(apply_is_idempotent_and_undone)
{
	struct tally_error err;
	struct seen s;
	size_t n;

	ck_assert_int_eq(organize(TALLY_ORGANIZE_APPLY, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 6);
	ck_assert(exists("tests/integration/test_a_integration.py"));
	ck_assert(exists("tests/integration/__init__.py"));
	ck_assert(exists("tests/unit/test_b.py"));
	ck_assert(exists("tests/conftest.py"));
	ck_assert(!exists("tests/test_b.py"));
	ck_assert(exists(".tally/organize.journal"));
	ck_assert_int_eq(organize(TALLY_ORGANIZE_APPLY, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(organize(TALLY_ORGANIZE_CHECK, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(organize(TALLY_ORGANIZE_UNDO, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 6);
	ck_assert(seen_has(&s, "undo move tests/unit/test_b.py "
	    "tests/test_b.py"));
	ck_assert(exists("tests/test_b.py"));
	ck_assert(exists("tests/test_a_integration.py"));
	ck_assert(!exists("tests/unit"));
	ck_assert(!exists("tests/integration"));
	ck_assert_int_eq(organize(TALLY_ORGANIZE_UNDO, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(collisions_stop_the_plan)
{
	struct tally_error err;
	struct seen s;
	char path[128];
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/unit", root);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	put("tests/unit/test_b.py", "other b\n");
	ck_assert_int_eq(organize(TALLY_ORGANIZE_APPLY, &s, &n, &err),
	    TALLY_EINVAL);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(s.errors, 1);
	ck_assert_str_eq(s.last, "tests/unit/test_b.py: already exists; not "
	    "moving 'tests/test_b.py' here");
	ck_assert_str_eq(err.message, "1 problem in the plan; nothing moved");
	ck_assert(exists("tests/test_a_integration.py"));
	ck_assert(!exists("tests/integration"));
}
END_TEST

START_TEST(bad_roots)
{
	struct tally_organize_opts o;
	struct tally_error err;
	struct seen s;
	char cmd[128];
	size_t n;

	snprintf(cmd, sizeof(cmd), "rm -r '%s/tests'", root);
	ck_assert_int_eq(system(cmd), 0);
	put("tests", "a file, not a directory\n");
	ck_assert_int_eq(organize(TALLY_ORGANIZE_PLAN, &s, &n, &err),
	    TALLY_EINVAL);
	ck_assert_msg(strstr(err.message, "refusing symlink or non-directory "
	    "'tests'") != NULL, "%s", err.message);
	memset(&o, 0, sizeof(o));
	o.root = "/nonexistent/tally";
	ck_assert_int_eq(tally_organize(&o, TALLY_ORGANIZE_UNDO, &n, &err),
	    TALLY_EIO);
	o.root = root;
	ck_assert_int_eq(tally_organize(&o, TALLY_ORGANIZE_PLAN, &n, &err),
	    TALLY_EINVAL);
	ck_assert_str_eq(err.message, "no rules");
}
END_TEST

static unsigned long
crc32(const char *s, size_t n)
{
	unsigned long c = 0xffffffffUL;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= (unsigned char)s[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320UL & (0UL - (c & 1)));
	}
	return c ^ 0xffffffffUL;
}

/* Append a journal record with its CRC. */
static void
jput(FILE *fp, const char *rec)
{
	fprintf(fp, "%s %08lx\n", rec, crc32(rec, strlen(rec)));
}

/* Make .tally/ in the root and open a new journal in it for writing. */
static FILE *
journal_new(void)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/.tally", root);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(path, sizeof(path), "%s/.tally/organize.journal", root);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	return fp;
}

/*
 * A run killed after a move and before its "done": recovery finds the
 * file at its destination and undo brings it back.
 */
START_TEST(recovery_settles_an_interrupted_move)
{
	struct tally_error err;
	struct seen s;
	struct stat st;
	char path[256], dst[256], rec[512];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/unit", root);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(path, sizeof(path), "%s/tests/test_b.py", root);
	ck_assert_int_eq(stat(path, &st), 0);
	snprintf(dst, sizeof(dst), "%s/tests/unit/test_b.py", root);
	ck_assert_int_eq(rename(path, dst), 0);
	fp = journal_new();
	jput(fp, "begin 0");
	jput(fp, "mkdir 1 tests/unit");
	jput(fp, "done 1");
	snprintf(rec, sizeof(rec), "move 2 tests/test_b.py "
	    "tests/unit/test_b.py %llu %llu %llu %lld %lld",
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
	    (unsigned long long)st.st_size, (long long)st.st_mtim.tv_sec,
	    (long long)st.st_mtim.tv_nsec);
	jput(fp, rec);
	fputs("done 2 0000", fp);	/* a torn last line */
	ck_assert_int_eq(fclose(fp), 0);

	ck_assert_int_eq(organize(TALLY_ORGANIZE_CHECK, &s, &n, &err),
	    TALLY_EINVAL);
	ck_assert_msg(strstr(err.message, "interrupted") != NULL, "%s",
	    err.message);
	ck_assert_int_eq(organize(TALLY_ORGANIZE_UNDO, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert(exists("tests/test_b.py"));
	ck_assert(!exists("tests/unit"));
}
END_TEST

START_TEST(recovery_refuses_to_guess)
{
	struct tally_error err;
	struct seen s;
	FILE *fp;
	size_t n;

	fp = journal_new();
	jput(fp, "begin 0");
	jput(fp, "move 1 tests/gone.py tests/unit/gone.py 1 2 3 4 5");
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(organize(TALLY_ORGANIZE_APPLY, &s, &n, &err),
	    TALLY_EINVAL);
	ck_assert_str_eq(err.message, "cannot tell whether 'tests/gone.py' "
	    "was moved to 'tests/unit/gone.py'; nothing done");
	ck_assert(exists("tests/test_b.py"));
}
END_TEST

START_TEST(corrupt_journal)
{
	struct tally_error err;
	struct seen s;
	FILE *fp;
	size_t n;

	fp = journal_new();
	jput(fp, "begin 0");
	fputs("mkdir 1 tests/unit 12345678\n", fp);
	jput(fp, "commit 0");
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(organize(TALLY_ORGANIZE_UNDO, &s, &n, &err),
	    TALLY_EPARSE);
	ck_assert_str_eq(err.file, ".tally/organize.journal");
	ck_assert_int_eq(err.line, 2);
}
END_TEST


/* The size of the journal, -1 when there is none. */
static long
journal_size(void)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/.tally/organize.journal", root);
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* How many lines of the journal start with word. */
static int
journal_count(const char *word)
{
	char path[256], line[1024];
	FILE *fp;
	int n = 0;

	snprintf(path, sizeof(path), "%s/.tally/organize.journal", root);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	while (fgets(line, sizeof(line), fp) != NULL)
		n += strncmp(line, word, strlen(word)) == 0 &&
		    line[strlen(word)] == ' ';
	fclose(fp);
	return n;
}

/*
 * Many runs leave a journal no bigger than the last apply needs: a new
 * apply drops the one before, a finished undo leaves it empty, and the
 * last apply is still undone exactly.
 */
START_TEST(journal_is_compacted)
{
	struct tally_error err;
	struct seen s;
	char name[64];
	long first, size;
	size_t n;
	int i;

	ck_assert_int_eq(organize(TALLY_ORGANIZE_APPLY, &s, &n, &err),
	    TALLY_OK);
	first = journal_size();
	ck_assert_int_gt(first, 0);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "tests/test_n%d_integration.py", i);
		put(name, "n\n");
		ck_assert_int_eq(organize(TALLY_ORGANIZE_APPLY, &s, &n, &err),
		    TALLY_OK);
		ck_assert_uint_eq(n, 1);
		ck_assert_int_eq(journal_count("begin"), 1);
		ck_assert_int_eq(journal_count("staged"), 1);
		size = journal_size();
		ck_assert_int_lt(size, first);
	}
	/* The last apply, and only it, is undone. */
	ck_assert_int_eq(organize(TALLY_ORGANIZE_UNDO, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert(exists("tests/test_n39_integration.py"));
	ck_assert(exists("tests/integration/test_n38_integration.py"));
	ck_assert_int_eq(journal_size(), 0);
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(organize(TALLY_ORGANIZE_APPLY, &s, &n, &err),
		    TALLY_OK);
		ck_assert_uint_eq(n, 1);
		ck_assert_int_eq(organize(TALLY_ORGANIZE_UNDO, &s, &n, &err),
		    TALLY_OK);
		ck_assert_uint_eq(n, 1);
		ck_assert_int_eq(journal_size(), 0);
	}
	ck_assert_int_eq(organize(TALLY_ORGANIZE_UNDO, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/*
 * A resumed run's journal is compacted without its skipped steps, the
 * others renumbered, and --undo still reverts every step from it.
 */
START_TEST(compacted_journal_still_undoes)
{
	struct tally_error err;
	struct seen s;
	FILE *fp;
	long before;
	size_t n;

	fp = journal_new();
	jput(fp, "begin 0");
	jput(fp, "mkdir 1 tests/gone");		/* never made: skipped */
	jput(fp, "mkdir 2 tests/gone2");
	ck_assert_int_eq(fclose(fp), 0);
	before = journal_size();
	ck_assert_int_eq(organize(TALLY_ORGANIZE_APPLY, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(journal_count("skip"), 0);
	ck_assert_int_eq(journal_count("mkdir"), 2);
	ck_assert_int_eq(journal_count("done"), 6);
	ck_assert_int_gt(journal_size(), before);
	ck_assert_int_eq(organize(TALLY_ORGANIZE_UNDO, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 6);
	ck_assert(exists("tests/test_b.py"));
	ck_assert(exists("tests/test_a_integration.py"));
	ck_assert(!exists("tests/unit"));
	ck_assert(!exists("tests/integration"));
}
END_TEST

/*
 * A run killed while compacting leaves the old journal and a partial
 * organize.journal.tmp: the next run ignores the partial copy, replaces
 * it, and undoes from the old journal.
 */
START_TEST(kill_during_compaction)
{
	struct tally_error err;
	struct seen s;
	size_t n;

	ck_assert_int_eq(organize(TALLY_ORGANIZE_APPLY, &s, &n, &err),
	    TALLY_OK);
	put(".tally/organize.journal.tmp", "begin 0 4554fdab\nmkdir 1 tes");
	ck_assert_int_eq(organize(TALLY_ORGANIZE_CHECK, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(organize(TALLY_ORGANIZE_UNDO, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 6);
	ck_assert(exists("tests/test_b.py"));
	ck_assert(!exists("tests/unit"));
	ck_assert(!exists(".tally/organize.journal.tmp"));
	ck_assert_int_eq(journal_size(), 0);
}
END_TEST

/*
 * A finished undo whose git step was cut short ("reverted" without
 * "staged"): --check says so, --undo settles it and empties the journal.
 */
START_TEST(unstaged_run_is_settled)
{
	struct tally_error err;
	struct seen s;
	FILE *fp;
	size_t n;

	fp = journal_new();
	jput(fp, "begin 0");
	jput(fp, "mkdir 1 tests/unit");
	jput(fp, "done 1");
	jput(fp, "commit 0");
	jput(fp, "staged 0");
	jput(fp, "undone 1");
	jput(fp, "reverted 0");
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(organize(TALLY_ORGANIZE_CHECK, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(s.warnings, 1);
	ck_assert_str_eq(s.last, ".tally/organize.journal: the last --undo "
	    "ended before the git index was updated; --undo updates it");
	ck_assert_int_eq(organize(TALLY_ORGANIZE_UNDO, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(journal_size(), 0);
	ck_assert_int_eq(organize(TALLY_ORGANIZE_CHECK, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(s.warnings, 0);
}
END_TEST

/*
 * A reference file changed after the plan read it and before the first
 * step: the whole apply is refused, nothing moves, the edit is kept
 * (issue 14).  The diag callback edits the Makefile when the plan warns
 * about its broken path, between the plan and the steps.
 */
static struct seen *edit_seen;

static void
edit_on_warning(void *arg, int status, const struct tally_error *err)
{
	char path[512];
	FILE *fp;

	on_diag(edit_seen, status, err);
	if (status == TALLY_OK && strcmp(err->file, "Makefile") == 0) {
		snprintf(path, sizeof(path), "%s/Makefile", root);
		ck_assert_ptr_nonnull(fp = fopen(path, "a"));
		fputs("# edited\n", fp);
		ck_assert_int_eq(fclose(fp), 0);
	}
	(void)arg;
}

START_TEST(rewrite_refused_when_changed_since_plan)
{
	static const char mk[] = "test:\n\tpytest tests/test_b.py tests/gone.py\n";
	struct tally_organize_opts o;
	struct tally_rules *r;
	struct tally_error err;
	struct seen s;
	char path[512], buf[256];
	size_t n = 0, len;
	FILE *fp;

	put("Makefile", mk);
	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_rules_load(&r, NULL, &err), TALLY_OK);
	o.root = root;
	o.rules = r;
	o.action = on_action;
	o.diag = edit_on_warning;
	o.arg = &s;
	edit_seen = &s;
	ck_assert_int_eq(tally_organize(&o, TALLY_ORGANIZE_APPLY, &n, &err),
	    TALLY_EINVAL);
	tally_rules_free(r);
	ck_assert_msg(strstr(err.message, "changed while the plan was made; "
	    "nothing done") != NULL, "%s", err.message);
	ck_assert_uint_eq(s.warnings, 1);
	ck_assert_uint_eq(s.errors, 1);
	ck_assert_str_eq(s.last, "Makefile: changed since the plan was made; "
	    "not rewritten");
	ck_assert_uint_eq(s.n, 0);
	ck_assert(exists("tests/test_b.py"));
	ck_assert(!exists("tests/unit"));
	snprintf(path, sizeof(path), "%s/Makefile", root);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	len = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[len] = '\0';
	ck_assert_str_eq(buf, "test:\n\tpytest tests/test_b.py tests/gone.py\n"
	    "# edited\n");
	/* Nothing to undo: the journal holds no run. */
	ck_assert_int_eq(organize(TALLY_ORGANIZE_UNDO, &s, &n, &err),
	    TALLY_OK);
	ck_assert_uint_eq(n, 0);
}
END_TEST

Suite *suite_organize(void);

Suite *
suite_organize(void)
{
	Suite *s = suite_create("organize");
	TCase *tc = tcase_create("organize");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, plan_changes_nothing);
	tcase_add_test(tc, apply_is_idempotent_and_undone);
	tcase_add_test(tc, collisions_stop_the_plan);
	tcase_add_test(tc, bad_roots);
	tcase_add_test(tc, recovery_settles_an_interrupted_move);
	tcase_add_test(tc, recovery_refuses_to_guess);
	tcase_add_test(tc, corrupt_journal);
	tcase_add_test(tc, journal_is_compacted);
	tcase_add_test(tc, compacted_journal_still_undoes);
	tcase_add_test(tc, kill_during_compaction);
	tcase_add_test(tc, unstaged_run_is_settled);
	tcase_add_test(tc, rewrite_refused_when_changed_since_plan);
	suite_add_tcase(s, tc);
	return s;
}
