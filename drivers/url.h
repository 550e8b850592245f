// Database URL parsing: postgresql:// (by libpq itself), mysql:// (mariadb://),
// sqlite:PATH. The grammar of each, and what is masked, is in README.md
// ("Database URLs").
#pragma once

#include <string>
#include <string_view>

#include "drivers/driver.h"

namespace clobber {

/// Parses a --db value. PostgreSQL URLs are parsed by libpq (PQconninfoParse),
/// so the fields are what libpq connects to. `masked` is rebuilt from the
/// fields with every secret as ***; `secrets` holds every secret (and
/// PGPASSWORD / MYSQL_PWD). Throws InputError (exit 2) naming --db, the URL
/// with its secrets masked, and what is wrong with it.
DatabaseUrl parse_database_url(const std::string& text);

/// A URL read back from a saved result (`clobber report`), masked again: a
/// file written by an older clobber, or edited by hand, may hold a password.
/// Masks everything from the first ':' after the scheme to the last '@' and
/// every secret option's value; an already masked URL stays as it is.
std::string mask_saved_url(const std::string& text);

/// The InputError for a --db URL a parser or driver refuses:
/// "--db: bad database URL 'MASKED': PROBLEM". PROBLEM must hold no secret.
InputError bad_database_url(const std::string& masked, const std::string& problem);

/// `message` scrubbed of the secrets of every argument that looks like a server
/// URL ("scheme://...", also as "--flag=scheme://..."), read conservatively,
/// and of PGPASSWORD / MYSQL_PWD: for errors about the command line itself,
/// which may echo a URL given where a URL was not expected.
std::string scrub_command_line_secrets(std::string_view message, int argc, char** argv);

/// A URL for a fresh embedded SQLite database in a temporary file, which the
/// SQLite driver removes when it is destroyed.
DatabaseUrl temporary_sqlite_url();

}  // namespace clobber
