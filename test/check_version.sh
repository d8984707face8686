#!/usr/bin/env bash
# test/check_version.sh: `make check-version`.  The version is written in one
# place, default_version in cprof.control (X.Y, the extension's SQL
# version); a release is X.Y.0, the semantic version PGXN asks for.  This
# checks every file that repeats it (META.json, debian/changelog,
# CHANGELOG.md) and that META.json follows the PGXN meta spec 1.0.0.
# Prints the release version on success.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
	echo "cprof: check-version: $*" >&2
	exit 1
}

# perl's JSON module reads META.json (the package perl, beside perl-base)
perl -MJSON::PP -e 1 2>/dev/null || bash test/deps.sh --only json_pp:perl

ext=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" cprof.control)
[[ $ext =~ ^[0-9]+\.[0-9]+$ ]] || fail "cprof.control: default_version '$ext' is not X.Y"
release=$ext.0
[ -f "sql/cprof--$ext.sql" ] || fail "sql/cprof--$ext.sql (the install script of default_version) is missing"

# META.json against the PGXN meta spec 1.0.0 (the parts cprof uses) and
# against the version
perl -MJSON::PP -e '
	my ($release, $ext) = @ARGV;
	local $/;
	open my $fh, "<", "META.json" or die "META.json: $!\n";
	my $m = eval { decode_json(<$fh>) } or die "META.json is not valid JSON: $@";
	my @err;
	my $semver = qr/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+)?$/;
	my %known = map { $_ => 1 } qw(name abstract description version maintainer license provides
		prereqs release_status generated_by tags resources no_index meta-spec);
	for my $k (keys %$m) { push @err, "unknown key $k" unless $known{$k} || $k =~ /^[xX]_/ }
	for my $k (qw(name abstract version maintainer license provides meta-spec)) {
		push @err, "required key $k is missing" unless defined $m->{$k};
	}
	push @err, "name must be cprof" unless ($m->{name} // "") eq "cprof";
	push @err, "abstract is empty" unless ($m->{abstract} // "") =~ /\S/;
	push @err, "version $m->{version} is not $release" unless ($m->{version} // "") eq $release;
	push @err, "version is not a semantic version" unless ($m->{version} // "") =~ $semver;
	my $mt = $m->{maintainer};
	push @err, "maintainer is empty" unless (ref $mt eq "ARRAY" ? @$mt && !grep { !/\S/ } @$mt : ($mt // "") =~ /\S/);
	push @err, "license must be postgresql" unless ($m->{license} // "") eq "postgresql";
	push @err, "meta-spec version must be 1.0.0" unless (($m->{"meta-spec"} // {})->{version} // "") eq "1.0.0";
	my $p = ($m->{provides} // {})->{cprof};
	if (!$p) { push @err, "provides has no cprof" }
	else {
		push @err, "provides.cprof.version $p->{version} is not $release" unless ($p->{version} // "") eq $release;
		push @err, "provides.cprof.file must be sql/cprof--$ext.sql" unless ($p->{file} // "") eq "sql/cprof--$ext.sql";
		push @err, "provides.cprof.file $p->{file} does not exist" unless -f ($p->{file} // "");
		push @err, "provides.cprof.docfile $p->{docfile} does not exist" if defined $p->{docfile} && !-f $p->{docfile};
	}
	for my $name (keys %{$m->{provides} // {}}) {
		my $q = $m->{provides}{$name};
		push @err, "provides.$name needs file and version" unless $q->{file} && $q->{version};
		push @err, "provides.$name.version is not a semantic version" unless ($q->{version} // "") =~ $semver;
	}
	my $pg = ((($m->{prereqs} // {})->{runtime} // {})->{requires} // {})->{PostgreSQL} // "";
	push @err, "prereqs.runtime.requires.PostgreSQL must be 15.0.0" unless $pg eq "15.0.0";
	push @err, "release_status must be stable, testing or unstable"
		if defined $m->{release_status} && $m->{release_status} !~ /^(stable|testing|unstable)$/;
	for my $t (@{$m->{tags} // []}) { push @err, "tag \"$t\" is not 1 to 255 characters" unless length($t) >= 1 && length($t) <= 255 }
	die join("", map { "META.json: $_\n" } @err) if @err;
' "$release" "$ext" || fail "META.json disagrees (see above)"

# debian/changelog: the package version is the release (native package)
deb=$(sed -n '1s/^cprof (\([^)]*\)).*/\1/p' debian/changelog)
[ "$deb" = "$release" ] || fail "debian/changelog: version '$deb' is not $release"

# CHANGELOG.md has a section for the extension version
grep -q "^## $ext\b" CHANGELOG.md || fail "CHANGELOG.md has no '## $ext' section"

# the documentation's file names of the package and of the zip
stale=$(grep -HnoE 'postgresql-15-cprof_[0-9][0-9.]*_|cprof-[0-9][0-9.]*\.zip' README.md docs/*.md |
	grep -vE "postgresql-15-cprof_${release//./\\.}_|cprof-${release//./\\.}\.zip" || true)
[ -z "$stale" ] || fail "the documentation names another version: $stale"

echo "$release"
