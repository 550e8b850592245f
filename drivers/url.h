// Database URL parsing: postgresql://, mysql:// (mariadb://), sqlite:PATH.
#pragma once

#include <string>

#include "drivers/driver.h"

namespace clobber {

/// Parses a --db value. Throws InputError (exit 2) naming the URL (password
/// masked) and what is wrong with it.
DatabaseUrl parse_database_url(const std::string& text);

/// A URL for a fresh embedded SQLite database in a temporary file, which the
/// SQLite driver removes when it is destroyed.
DatabaseUrl temporary_sqlite_url();

}  // namespace clobber
