// Database URL parsing: postgresql:// and libpq key=value strings (by libpq
// itself, with libpq's PG* defaults), mysql:// (mariadb://), redis://, sqlite:PATH, and
// the CLOBBER_DB list. The grammar of each, and what is masked, is in README.md
// ("Database URLs").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drivers/driver.h"

namespace clobber {

/// Parses a --db value. PostgreSQL URLs, and text that is not a URL but holds
/// '=' (a libpq key=value string, as libpq tells them apart), are parsed by
/// libpq (PQconninfoParse) and what they leave unset is filled from libpq's
/// defaults (PQconndefaults: PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE...;
/// the database defaults to the user, the host to the socket directory), so
/// the fields are what libpq connects to. A key=value string is shown as one
/// (`host=h dbname=d password=***`). `masked` is rebuilt from the
/// fields with every secret as ***; `secrets` holds every secret (and
/// PGPASSWORD / MYSQL_PWD). Throws InputError (exit 2) naming --db, the URL
/// with its secrets masked, and what is wrong with it.
DatabaseUrl parse_database_url(const std::string& text);

/// True for a database clobber opens as a file in its own process (SQLite):
/// it has no server sessions to kill, and `database` is the file's path.
bool is_embedded(const DatabaseUrl& url);

/// The databases of a CLOBBER_DB value: separated by white space, ';' or
/// newlines, except that consecutive key=value words (quoted values included)
/// make one libpq key=value string; ';' or a newline ends one. Not parsed.
std::vector<std::string> split_database_list(std::string_view text);

/// A URL read back from a saved result (`clobber report`), masked again: a
/// file written by an older clobber, or edited by hand, may hold a password.
/// Masks everything from the first ':' after the scheme to the last '@' and
/// every secret option's value; in a key=value string, the values of secret
/// and unknown keys. An already masked URL stays as it is.
std::string mask_saved_url(const std::string& text);

/// The InputError for a --db URL a parser or driver refuses:
/// "--db: bad database URL 'MASKED': PROBLEM". PROBLEM must hold no secret.
InputError bad_database_url(const std::string& masked, const std::string& problem);

/// `message` scrubbed of the secrets of every argument and CLOBBER_DB entry
/// that looks like a server URL ("scheme://...", also as "--flag=scheme://..."),
/// read conservatively, of the secret keys' values of every one that looks like
/// a key=value string, and of PGPASSWORD / MYSQL_PWD: for errors about the
/// command line itself, which may echo a URL given where a URL was not expected.
std::string scrub_command_line_secrets(std::string_view message, int argc, char** argv);

/// A URL for a fresh embedded SQLite database in a temporary file, which the
/// SQLite driver removes when it is destroyed.
DatabaseUrl temporary_sqlite_url();

/// The database `run` and `scenario` use when given none (no --db, no
/// CLOBBER_DB): a fresh embedded one needing no server (temporary_sqlite_url()).
DatabaseUrl default_database_url();

}  // namespace clobber
