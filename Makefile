# tally: plain Makefile.  make, make check, make demo, make install.
VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
MANDIR   ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# Shell completions (completions/), where each shell looks by default.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DESTDIR  ?=
B        ?= build

CC       ?= cc
CFLAGS   ?= -O2 -g
PKGS      = libxml-2.0 libcjson libpcre2-8 yaml-0.1
# Debian packages: DEB_PKGS to build and run (what `make demo` installs:
# the pkg-config modules above and a compiler), DEB_TEST_PKGS for the tests
# only (what `make check` adds): check, mandoc and xmllint, python3-jsonschema
# for the CTRF schema check, jq for the CLI tests' independent counts,
# chromium for the HTML report's browser tests, clang and its runtime
# libraries (libFuzzer, sanitizers) for `make asan` and the fuzz targets,
# bats for a live run of its JUnit output, ruby-rspec for real RSpec runs,
# jmeter, jmeter-http and a JDK (javac, for tests/jmeter/TallyJMeter.java)
# for real JMeter runs, python3-locust and python3-pytest-benchmark for
# real Locust and pytest-benchmark runs, cmark-gfm to render the Markdown
# report as GitHub does (tables, details), zsh and fish to load the shell
# completions, groff to render the man pages as man(1) does, script(1)
# (bsdutils) for a terminal in the tests.
DEB_PKGS  = build-essential pkg-config libxml2-dev libcjson-dev libpcre2-dev \
            libyaml-dev
DEB_TEST_PKGS = check mandoc libxml2-utils python3-jsonschema jq chromium \
            clang libclang-rt-dev bats ruby-rspec jmeter jmeter-http \
            openjdk-17-jdk-headless python3-locust python3-pytest-benchmark \
            cmark-gfm zsh fish groff-base bsdutils
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

override CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
	-Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
	$(CFLAGS) -Iinclude $(PKG_CFLAGS) -DTALLY_VERSION='"$(VERSION)"' -DTALLY_MANDIR='"$(MANDIR)"'
LDLIBS   += $(PKG_LIBS) -lm -pthread

# libtally: the shared core (records, stream, merge, escape, output) in lib/,
# the readers in lib/read/, the renderers in lib/render/, organize and its
# journal and safe file system code in lib/organize/.
LIB_DIRS = lib lib/read lib/render lib/organize
LIB_INC  = $(LIB_DIRS:%=-I%)
LIB_HDR  = $(wildcard $(LIB_DIRS:%=%/*.h))
LIB_SRC  = $(sort $(wildcard $(LIB_DIRS:%=%/*.c)))
# The HTML report's CSS and JS live in lib/render/html/ and become C strings.
HTML_ASSETS = lib/render/html/report.css lib/render/html/report.js
LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/html_assets.o
TOOL_SRC = $(filter-out tools/cli.c,$(sort $(wildcard tools/*.c)))
TOOLS    = $(TOOL_SRC:tools/%.c=$(B)/bin/%)
TEST_SRC = $(sort $(wildcard tests/check_*.c))
TEST_OBJ = $(TEST_SRC:%.c=$(B)/%.o)
SUITES   = $(TEST_SRC:tests/check_%.c=%)
MAN      = $(sort $(wildcard man/*.[1-9]))

all: $(B)/libtally.a $(B)/libtally.so $(TOOLS)

$(B)/lib/%.o: lib/%.c $(wildcard include/tally/*.h) $(LIB_HDR) | $(B)/lib
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LIB_INC) -DTALLY_BUILDING_LIB -fPIC -c -o $@ $<

$(B)/gen/html_assets.c: $(HTML_ASSETS) | $(B)/gen
	@{ echo '/* Generated from $(HTML_ASSETS) by the Makefile. */'; \
	  for f in $(HTML_ASSETS); do \
	    echo "const char tally_html_$${f##*.}[] ="; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $$f; \
	    echo ';'; done; } > $@.tmp && mv $@.tmp $@

$(B)/gen/html_assets.o: $(B)/gen/html_assets.c
	$(CC) $(CFLAGS) -fPIC -c -o $@ $<

$(B)/libtally.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $(LIB_OBJ)

$(B)/libtally.so: $(LIB_OBJ)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libtally.so.0 -o $@ $(LIB_OBJ) $(PKG_LIBS) -lm -pthread

$(B)/tools/%.o: tools/%.c tools/cli.h $(wildcard include/tally/*.h) | $(B)/tools
	$(CC) $(CFLAGS) -c -o $@ $<

# --as-needed: a tool depends only on the libraries it calls; those that
# read only tally streams (merge, render, diff, history) start without
# libxml2 and the ICU and C++ libraries it loads (lib/read/walk.h).
$(B)/bin/%: $(B)/tools/%.o $(B)/tools/cli.o $(B)/libtally.a | $(B)/bin
	$(CC) $(LDFLAGS) -Wl,--as-needed -o $@ $< $(B)/tools/cli.o \
	    $(B)/libtally.a $(LDLIBS)

# The Check runner: every tests/check_NAME.c defines Suite *suite_NAME(void).
$(B)/tests/suites.h: $(TEST_SRC) | $(B)/tests
	@{ for s in $(SUITES); do echo "Suite *suite_$$s(void);"; done; \
	   echo "#define TALLY_SUITES \\"; \
	   for s in $(SUITES); do echo "	X(suite_$$s) \\"; done; \
	   echo ""; } > $@.tmp && mv $@.tmp $@

$(B)/tests/%.o: tests/%.c $(wildcard tests/*.h) $(wildcard include/tally/*.h) $(LIB_HDR) $(B)/tests/suites.h | $(B)/tests
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -DTALLY_BUILDING_LIB -I$(B)/tests $(LIB_INC) -c -o $@ $<

$(B)/tests/runner: $(B)/tests/runner.o $(B)/tests/testutil.o $(TEST_OBJ) $(B)/libtally.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

$(B)/tests/runner.o: tests/runner.c $(B)/tests/suites.h
$(B)/tests/testutil.o: tests/testutil.c tests/testutil.h

$(B)/tests/measure: tests/bench/measure.c | $(B)/tests
	$(CC) $(CFLAGS) -o $@ $<

# Speed and memory figures on generated inputs (not a pass/fail test),
# then the same against peer tools unless BENCH_PEERS=0.
BENCH_PEERS ?= 1
bench: all $(B)/tests/measure
	TALLY_BIN=$(B)/bin MEASURE=$(B)/tests/measure sh tests/bench/run.sh
	if [ "$(BENCH_PEERS)" != 0 ]; then $(MAKE) bench-peers; fi

# tally against pinned peers (tests/bench/peers.sh installs them into
# $(B)/peers and says which are not available).
bench-peers: all $(B)/tests/measure
	TALLY_BIN=$(B)/bin MEASURE=$(B)/tests/measure BENCH_PEERS_DIR=$(B)/peers \
	  sh tests/bench/peers.sh

# Coverage-guided fuzzing of every reader, and of merge and every renderer
# (clang's libFuzzer), seeded with the test fixtures; FUZZ_SECONDS per run.
# Undefined behaviour stops a run like a crash does, and fails the target.
# `make fuzz-smoke` is the short run CI does (FUZZ_SMOKE_SECONDS each).
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
fuzz:
	$(MAKE) B=build-fuzz CC=clang CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" build-fuzz/libtally.a
	for t in read render; do \
	  clang -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) -D_GNU_SOURCE -DTALLY_BUILDING_LIB \
	    -Iinclude $(LIB_INC) $(PKG_CFLAGS) -o build-fuzz/fuzz_$$t tests/fuzz/fuzz_$$t.c \
	    build-fuzz/libtally.a $(PKG_LIBS) -lm || exit 1; done
	mkdir -p build-fuzz/corpus build-fuzz/corpus-render
	build-fuzz/fuzz_read -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=5 \
	  -rss_limit_mb=2048 build-fuzz/corpus tests/data examples/results
	build-fuzz/fuzz_render -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	  -rss_limit_mb=2048 build-fuzz/corpus-render tests/data/merge tests/data/qa \
	  tests/data/hostile

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

$(B)/lib $(B)/tools $(B)/bin $(B)/tests $(B)/gen:
	mkdir -p $@

# The tests first install what they need (test-deps), then build.
check:
	@$(MAKE) --no-print-directory test-deps
	$(MAKE) all $(B)/tests/runner
	$(B)/tests/runner
	TALLY_BIN=$(B)/bin sh tests/cli/run.sh
	$(if $(MAN),mandoc -Tlint -W warning $(MAN))

# Install missing Debian packages with apt-get (through sudo when not
# root): deps what building and running need, test-deps that and the
# tests' tools.  Both do nothing when all are present.
APT_INSTALL = missing=; for p in $(1); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing:$$missing"; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi
deps:
	@$(call APT_INSTALL,$(DEB_PKGS))

# npm packages that only the tests use (real producers such as test
# runners, DuckDB): one pinned set per folder tests/npm/NAME/ (package.json
# and package-lock.json), installed with `npm ci` into $(B)/npm/NAME when
# its lockfile changed.  Tests find them under $$TALLY_BIN/../npm/NAME.
NPM_SETS = $(patsubst tests/npm/%/package-lock.json,%,$(wildcard tests/npm/*/package-lock.json))
test-deps:
	@$(call APT_INSTALL,$(DEB_PKGS) $(DEB_TEST_PKGS))
	@if [ -n "$(NPM_SETS)" ] && ! command -v npm >/dev/null; then \
	  $(call APT_INSTALL,nodejs npm); fi
	@for n in $(NPM_SETS); do d=$(B)/npm/$$n; \
	  cmp -s tests/npm/$$n/package-lock.json $$d/package-lock.json && \
	    [ -d $$d/node_modules ] && continue; \
	  echo "installing npm test set $$n into $$d (npm ci)"; mkdir -p $$d && \
	  cp tests/npm/$$n/package.json tests/npm/$$n/package-lock.json $$d/ && \
	  npm ci --prefix $$d --no-audit --no-fund --loglevel=error || exit 1; done

# The main job, end to end, on the example results kept in examples/.
demo: deps
	$(MAKE) all
	sh examples/demo.sh $(B)/bin $(B)/demo

asan:
	$(MAKE) B=build-asan CC=clang CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" check

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)/tally \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(TOOLS) $(DESTDIR)$(BINDIR)
	install -m 644 $(B)/libtally.a $(DESTDIR)$(LIBDIR)
	install -m 755 $(B)/libtally.so $(DESTDIR)$(LIBDIR)/libtally.so.0
	ln -sf libtally.so.0 $(DESTDIR)$(LIBDIR)/libtally.so
	install -m 644 include/tally/*.h $(DESTDIR)$(INCDIR)/tally
	for m in $(MAN); do s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s; done
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
	  -e 's|@VERSION@|$(VERSION)|' -e 's|@PKGS@|$(PKGS)|' tally.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/tally.pc
	# bash and fish load a completion by the command's name: one file,
	# a link for each program.
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 644 completions/tally.bash $(DESTDIR)$(BASHCOMPDIR)/tally
	install -m 644 completions/_tally $(DESTDIR)$(ZSHCOMPDIR)/_tally
	install -m 644 completions/tally.fish $(DESTDIR)$(FISHCOMPDIR)/tally.fish
	for t in $(filter-out tally,$(notdir $(TOOLS))); do \
	  ln -sf tally $(DESTDIR)$(BASHCOMPDIR)/$$t; \
	  ln -sf tally.fish $(DESTDIR)$(FISHCOMPDIR)/$$t.fish; done

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$${t##*/}; done
	rm -f $(DESTDIR)$(LIBDIR)/libtally.a $(DESTDIR)$(LIBDIR)/libtally.so \
	  $(DESTDIR)$(LIBDIR)/libtally.so.0 $(DESTDIR)$(PKGCONFIGDIR)/tally.pc
	rm -rf $(DESTDIR)$(INCDIR)/tally
	for m in $(MAN); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_tally
	for t in $(notdir $(TOOLS)); do rm -f $(DESTDIR)$(BASHCOMPDIR)/$$t \
	  $(DESTDIR)$(FISHCOMPDIR)/$$t.fish; done

clean:
	rm -rf $(B) build-asan build-fuzz

.PHONY: all check deps test-deps demo asan bench bench-peers fuzz fuzz-smoke install uninstall clean
.SUFFIXES:
