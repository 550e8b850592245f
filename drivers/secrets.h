// The secrets of a database URL (its passwords, and PGPASSWORD / MYSQL_PWD from
// the environment) and the scrubbing that keeps them out of every message a
// driver lets out: libpq and Connector/C++ errors can echo parts of a
// connection string, so nothing leaves a driver unscrubbed (see make_driver).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/driver.h"

namespace clobber {

/// The text a secret is replaced with, in masked URLs and in messages.
inline constexpr std::string_view kSecretMask = "***";

/// Adds `secret` to `secrets` with its percent-encoded forms (upper- and
/// lower-case hex), keeping the list free of duplicates and longest first.
/// An empty secret is not added.
void add_secret(std::vector<std::string>& secrets, std::string_view secret);

/// Adds the passwords the client libraries read from the environment:
/// PGPASSWORD (libpq) and MYSQL_PWD (read by the MySQL driver).
void add_environment_secrets(std::vector<std::string>& secrets);

/// `message` with every occurrence of every secret replaced by ***.
std::string scrub_secrets(std::string_view message, const std::vector<std::string>& secrets);

/// Wraps `driver` so that every message leaving it or its sessions (exceptions,
/// failed outcomes, reported settings) is scrubbed of driver->url().secrets.
/// Returns `driver` itself when its URL has no secrets.
std::unique_ptr<Driver> scrub_driver_messages(std::unique_ptr<Driver> driver);

}  // namespace clobber
