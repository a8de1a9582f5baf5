/*
 * lib/organize/category.c: test records get their category from the organize
 * rules: the same rules that decide which directory a test file belongs
 * in decide which category its results are counted under.
 */
#include <stdlib.h>
#include <string.h>

#include <tally/category.h>

#include "internal.h"

struct category_sink {
	struct tally_sink	 sink;
	struct tally_sink	*next;
	const struct tally_rules *rules;
};

/*
 * The start of the last component of s, separated by sep, that begins
 * dir followed by sep; s itself when there is none.
 */
static const char *
from_dir(const char *s, char sep, const char *dir)
{
	const char *p, *found = s;
	size_t n = strlen(dir);

	for (p = s; *p != '\0'; p++)
		if ((p == s || p[-1] == sep) && strncmp(p, dir, n) == 0 &&
		    p[n] == sep)
			found = p;
	return found;
}

int
tally_category_of(const struct tally_rules *r, const struct tally_test *t,
    const char **category, struct tally_error *err)
{
	struct tally_buf b, dir;
	const char *s, *tests = tally_rules_tests_dir(r);
	char *p;
	int rc = TALLY_OK;

	*category = NULL;
	tally_buf_init(&b);
	tally_buf_init(&dir);
	if (t->file_path != NULL && t->file_path[0] != '\0') {
		/*
		 * go test names a file relative to its package, and the
		 * package is the classname: "example.com/m/integration".
		 */
		if (strchr(t->file_path, '/') == NULL &&
		    strchr(t->file_path, '\\') == NULL &&
		    t->classname != NULL && strchr(t->classname, '/') != NULL)
			rc = tally_buf_printf(&b, "%s/%s", t->classname,
			    t->file_path);
		else
			rc = tally_buf_adds(&b, t->file_path);
		if (rc != TALLY_OK)
			goto out;
		for (p = b.data; *p != '\0'; p++)
			if (*p == '\\')
				*p = '/';
		s = from_dir(b.data, '/', tests);
	} else if (t->classname != NULL && t->classname[0] != '\0') {
		s = t->classname;
		if (strchr(s, '/') != NULL)
			s = from_dir(s, '/', tests);
		else if (strchr(tests, '.') == NULL) {
			/* A dotted module path: tests/python is "tests.python". */
			if ((rc = tally_buf_adds(&dir, tests)) != TALLY_OK)
				goto out;
			for (p = dir.data; *p != '\0'; p++)
				if (*p == '/')
					*p = '.';
			s = from_dir(s, '.', dir.data);
		}
	} else
		goto out;
	rc = tally_rules_classify(r, s, category, err);
out:
	if (rc == TALLY_ENOMEM)
		tally_error_set(err, rc, 0, 0, "out of memory");
	tally_buf_free(&b);
	tally_buf_free(&dir);
	return rc;
}

/*
 * A perf row's test file: the property testFile (a reader's, e.g.
 * Locust's default locustfile.py), else the file part of a pytest node
 * id ("tests/test_x.py::test_y", pytest-benchmark's fullname).
 */
static int
perf_file(const struct tally_perf *p, struct tally_buf *b)
{
	const char *f = tally_kv_get(p->properties, p->nproperties,
	    "testFile"), *sep;

	if (f != NULL)
		return tally_buf_adds(b, f) == TALLY_OK ? 1 : TALLY_ENOMEM;
	if (p->name == NULL || (sep = strstr(p->name, "::")) == NULL ||
	    sep == p->name)
		return 0;
	return tally_buf_add(b, p->name, (size_t)(sep - p->name)) ==
	    TALLY_OK ? 1 : TALLY_ENOMEM;
}

/* A perf row without a category gets the one of its test file as the
 * property "category". */
static int
category_perf(struct category_sink *cs, const struct tally_record *rec,
    struct tally_error *err)
{
	const struct tally_perf *p = &rec->u.perf;
	struct tally_record r;
	struct tally_test t;
	struct tally_kv *kv;
	struct tally_buf b;
	const char *cat = NULL;
	int rc;

	if (tally_kv_get(p->properties, p->nproperties, "category") != NULL)
		return tally_sink_record(cs->next, rec, err);
	tally_buf_init(&b);
	if ((rc = perf_file(p, &b)) == 1) {
		memset(&t, 0, sizeof(t));
		t.file_path = b.data;
		rc = tally_category_of(cs->rules, &t, &cat, err);
	} else if (rc < 0)
		rc = tally_error_set(err, rc, 0, 0, "out of memory");
	tally_buf_free(&b);
	if (rc != TALLY_OK || cat == NULL)
		return rc != TALLY_OK ? rc :
		    tally_sink_record(cs->next, rec, err);
	if ((kv = malloc((p->nproperties + 1) * sizeof(*kv))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	memcpy(kv, p->properties, p->nproperties * sizeof(*kv));
	kv[p->nproperties].key = "category";
	kv[p->nproperties].value = cat;
	r = *rec;
	r.u.perf.properties = kv;
	r.u.perf.nproperties = p->nproperties + 1;
	rc = tally_sink_record(cs->next, &r, err);
	free(kv);
	return rc;
}

static int
category_record(struct tally_sink *s, const struct tally_record *rec,
    struct tally_error *err)
{
	struct category_sink *cs = (struct category_sink *)s;
	struct tally_record r;
	const char *cat;
	int rc;

	if (rec->type == TALLY_REC_PERF)
		return category_perf(cs, rec, err);
	if (rec->type != TALLY_REC_TEST || (rec->u.test.category != NULL &&
	    rec->u.test.category[0] != '\0'))
		return tally_sink_record(cs->next, rec, err);
	if ((rc = tally_category_of(cs->rules, &rec->u.test, &cat, err)) !=
	    TALLY_OK)
		return rc;
	r = *rec;
	r.u.test.category = cat;
	return tally_sink_record(cs->next, &r, err);
}

static int
category_end(struct tally_sink *s, struct tally_error *err)
{
	return tally_sink_end(((struct category_sink *)s)->next, err);
}

static void
category_free(struct tally_sink *s)
{
	free(s);
}

int
tally_category_sink_new(struct tally_sink **out, struct tally_sink *next,
    const struct tally_rules *r)
{
	struct category_sink *cs;

	*out = NULL;
	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return TALLY_ENOMEM;
	cs->sink.record = category_record;
	cs->sink.end = category_end;
	cs->sink.free = category_free;
	cs->next = next;
	cs->rules = r;
	*out = &cs->sink;
	return TALLY_OK;
}
