#include "drivers/url.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "drivers/secrets.h"

namespace clobber {
namespace {

constexpr size_t npos = std::string::npos;

/// The value of one hexadecimal digit, or -1.
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// `text` with its %XX escapes decoded, or nullopt when one is malformed.
std::optional<std::string> try_percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

/// Decodes %XX escapes, or throws naming `what` (never echoing the text).
std::string percent_decode(std::string_view text, const std::string& masked, const char* what) {
  std::optional<std::string> decoded = try_percent_decode(text);
  if (!decoded)
    throw bad_database_url(masked, std::string("invalid percent-encoding in the ") + what);
  return *decoded;
}

/// `text` percent-encoded for a rebuilt URL: every byte but letters, digits,
/// "-._~" and those in `keep` becomes %XX.
std::string percent_encode(std::string_view text, std::string_view keep = {}) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || keep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0xF];
    }
  }
  return out;
}

/// The [begin, end) ranges of the values of secret options written in `text`
/// after `from`: any "key=value" following a '?' or '&', up to the next '&',
/// whose key (decoded when it can be) names a secret. Used on text that may
/// not parse, so it assumes nothing about where the query starts.
std::vector<std::pair<size_t, size_t>> secret_option_values(std::string_view text, size_t from) {
  std::vector<std::pair<size_t, size_t>> ranges;
  size_t at = text.find_first_of("?&", from);
  while (at != npos) {
    const size_t begin = at + 1;
    const size_t end = std::min(text.find('&', begin), text.size());
    const std::string_view option = text.substr(begin, end - begin);
    const size_t eq = option.find('=');
    size_t next = begin;
    if (eq != npos) {
      const std::string_view key = option.substr(0, eq);
      if (is_secret_option(try_percent_decode(key).value_or(std::string(key)))) {
        ranges.emplace_back(begin + eq + 1, end);
        next = end;  // the value is masked whole, whatever it holds
      }
    }
    at = next < text.size() ? text.find_first_of("?&", next) : npos;
  }
  return ranges;
}

/// Adds a secret as written in the URL and, when it decodes, as decoded.
void add_written_secret(std::vector<std::string>& secrets, std::string_view written) {
  add_secret(secrets, written);
  if (std::optional<std::string> decoded = try_percent_decode(written))
    add_secret(secrets, *decoded);
}

/// The URL for messages about a URL that may not parse: everything from the
/// first ':' after the scheme to the LAST '@' is masked (whatever a parser
/// would take for the password lies there), and so is every secret option's value.
std::string conservative_mask(const std::string& text, size_t authority_begin) {
  std::string masked = text;
  const size_t last_at = masked.rfind('@');
  if (last_at != npos && last_at >= authority_begin) {
    const size_t colon = masked.find(':', authority_begin);
    if (colon < last_at) masked.replace(colon + 1, last_at - colon - 1, kSecretMask);
  }
  const auto ranges = secret_option_values(masked, authority_begin);
  for (auto range = ranges.rbegin(); range != ranges.rend(); ++range)
    masked.replace(range->first, range->second - range->first, kSecretMask);
  return masked;
}

/// The secrets of a URL that may not parse: the text from the first ':' after
/// the scheme to the first and to the last '@', every secret option's value,
/// and the environment's passwords. Scrubbed from a library's parse errors.
std::vector<std::string> conservative_secrets(const std::string& text, size_t authority_begin) {
  std::vector<std::string> secrets;
  const size_t colon = text.find(':', authority_begin);
  for (size_t at : {text.find('@', authority_begin), text.rfind('@')})
    if (at != npos && at >= authority_begin && colon < at)
      add_written_secret(secrets, std::string_view(text).substr(colon + 1, at - colon - 1));
  for (const auto& [begin, end] : secret_option_values(text, authority_begin))
    add_written_secret(secrets, std::string_view(text).substr(begin, end - begin));
  add_environment_secrets(secrets);
  return secrets;
}

/// The secrets of a parsed URL: its password and secret options' values, as
/// parsed and as written in the URL, and the environment's passwords.
/// `written_password` is the user info's password as written ("" for none);
/// `query_begin` is where the query starts in `url.text` (npos for none).
std::vector<std::string> parsed_secrets(const DatabaseUrl& url, std::string_view written_password,
                                        size_t query_begin) {
  std::vector<std::string> secrets;
  add_secret(secrets, url.password);
  add_secret(secrets, written_password);
  for (const auto& [key, value] : url.options)
    if (is_secret_option(key)) add_secret(secrets, value);
  if (query_begin != npos)
    for (const auto& [begin, end] : secret_option_values(url.text, query_begin))
      add_written_secret(secrets, std::string_view(url.text).substr(begin, end - begin));
  add_environment_secrets(secrets);
  return secrets;
}

/// "user[:***]@" for a rebuilt URL, or "" when it names neither.
std::string masked_user_info(const DatabaseUrl& url) {
  if (url.user.empty() && url.password.empty()) return "";
  std::string info = percent_encode(url.user);
  if (!url.password.empty()) info += ":" + std::string(kSecretMask);
  return info + "@";
}

/// Appends "?key=value&..." for a rebuilt URL, secret values as ***.
void append_masked_query(std::string& masked,
                         const std::vector<std::pair<std::string, std::string>>& options) {
  char separator = masked.find('?') == npos ? '?' : '&';
  for (const auto& [key, value] : options) {
    masked += separator;
    masked += percent_encode(key);
    masked += '=';
    masked += is_secret_option(key) ? std::string(kSecretMask) : percent_encode(value, "/:,");
    separator = '&';
  }
}

/// Splits `text` at every ',' (libpq's host and port lists).
std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  while (true) {
    const size_t comma = text.find(',');
    items.push_back(text.substr(0, comma));
    if (comma == npos) return items;
    text.remove_prefix(comma + 1);
  }
}

/// Parses "digits" as a TCP port (1..65535), or throws.
int parse_port(std::string_view text, const std::string& masked) {
  int port = 0;
  bool valid = !text.empty() && text.size() <= 5;
  for (char c : text) {
    if (c < '0' || c > '9') valid = false;
    if (valid) port = port * 10 + (c - '0');
  }
  if (!valid || port < 1 || port > 65535)
    throw bad_database_url(
        masked, "bad port '" + std::string(text) + "' (expected a number from 1 to 65535)");
  return port;
}

/// Parses `key=value&...` into url.options (decoded, in order).
void parse_query(std::string_view query, DatabaseUrl& url) {
  if (query.empty()) return;
  while (true) {
    const size_t amp = query.find('&');
    const std::string_view option = query.substr(0, amp);
    const size_t eq = option.find('=');
    std::string key = percent_decode(option.substr(0, eq), url.masked, "URL options");
    if (key.empty()) throw bad_database_url(url.masked, "an option has no name");
    const char* what = is_secret_option(key) ? "value of a secret option" : "URL options";
    std::string value =
        eq == npos ? std::string() : percent_decode(option.substr(eq + 1), url.masked, what);
    url.options.emplace_back(std::move(key), std::move(value));
    if (amp == npos) break;
    query.remove_prefix(amp + 1);
  }
}

/// libpq's parse of a conninfo string; freed with PQconninfoFree.
using ConninfoOptions = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

/// The masked PostgreSQL URL rebuilt from the parsed fields: hosts and ports in
/// the authority when libpq reads them back the same way, else as ?host= / ?port=.
std::string masked_postgres_url(const DatabaseUrl& url, std::string_view scheme) {
  std::string masked = std::string(scheme) + "://" + masked_user_info(url);
  const std::vector<std::string_view> hosts = split_list(url.host);
  const std::vector<std::string_view> ports =
      url.ports.empty() ? std::vector<std::string_view>() : split_list(url.ports);
  bool in_authority = !url.host.empty() && (ports.empty() || ports.size() == hosts.size());
  for (std::string_view host : hosts)
    if (host.empty() || host.starts_with('/'))
      in_authority = false;  // sockets read better as ?host=
  std::vector<std::pair<std::string, std::string>> query;
  if (in_authority) {
    for (size_t i = 0; i < hosts.size(); ++i) {
      if (i > 0) masked += ',';
      if (hosts[i].find(':') != npos)
        masked += "[" + std::string(hosts[i]) + "]";  // IPv6
      else
        masked += percent_encode(hosts[i]);
      if (!ports.empty() && !ports[i].empty()) masked += ":" + std::string(ports[i]);
    }
  } else {
    if (!url.host.empty()) query.emplace_back("host", url.host);
    if (!url.ports.empty()) query.emplace_back("port", url.ports);
  }
  masked += "/" + percent_encode(url.database);
  query.insert(query.end(), url.options.begin(), url.options.end());
  append_masked_query(masked, query);
  return masked;
}

/// Parses a postgresql:// or postgres:// URL with libpq's own parser, so that
/// every field is what libpq connects to. Refuses what libpq refuses, and an
/// unencoded '@' past the user info, which libpq would read as part of the
/// host or database name (leaking part of a password that holds '@' or '/').
DatabaseUrl parse_postgres_url(const std::string& text, size_t authority_begin,
                               std::string_view scheme) {
  DatabaseUrl url;
  url.kind = DatabaseKind::postgresql;
  url.text = text;
  url.secrets = conservative_secrets(text, authority_begin);
  url.masked = scrub_secrets(conservative_mask(text, authority_begin), url.secrets);

  // libpq's user info ends at the first '@' or '/' after the scheme; its query
  // starts at the first '?' after that.
  const size_t stop = text.find_first_of("@/", authority_begin);
  const bool has_user_info = stop != npos && text[stop] == '@';
  const size_t rest = has_user_info ? stop + 1 : authority_begin;
  const size_t query_begin = text.find('?', rest);
  const size_t extra_at = text.find('@', rest);
  if (extra_at != npos && extra_at < query_begin)
    throw bad_database_url(
        url.masked,
        "an unencoded '@' after the user info, or a '/' before its '@': libpq would read part "
        "of the password (or user name) as the host or the database name; percent-encode '@' "
        "as %40 and '/' as %2F");

  char* error = nullptr;
  ConninfoOptions options(PQconninfoParse(text.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    throw bad_database_url(url.masked, "libpq refuses it: " + scrub_secrets(message, url.secrets));
  }
  std::string hostaddr;
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view keyword = option->keyword;
    if (keyword == "user")
      url.user = option->val;
    else if (keyword == "password")
      url.password = option->val;
    else if (keyword == "host")
      url.host = option->val;
    else if (keyword == "port")
      url.ports = option->val;
    else if (keyword == "dbname")
      url.database = option->val;
    else
      url.options.emplace_back(option->keyword, option->val);
    if (keyword == "hostaddr") hostaddr = option->val;
  }
  const size_t colon = text.find(':', authority_begin);
  const std::string_view written_password =
      has_user_info && colon < stop ? std::string_view(text).substr(colon + 1, stop - colon - 1)
                                    : std::string_view();
  url.secrets = parsed_secrets(url, written_password, query_begin);

  if (url.host.empty() && hostaddr.empty())
    throw bad_database_url(
        url.masked, "missing host (expected postgresql://user@host/db, or ?host=/socket/dir)");
  if (url.database.empty())
    throw bad_database_url(url.masked,
                           "missing database name (expected postgresql://user@host/db)");
  url.port = 5432;
  if (!url.ports.empty()) {
    const std::vector<std::string_view> ports = split_list(url.ports);
    bool first = true;
    for (std::string_view port : ports) {
      if (port.empty()) continue;  // libpq: the default port for that host
      const int number = parse_port(port, url.masked);
      if (first) url.port = number;
      first = false;
    }
    const size_t hosts = split_list(url.host.empty() ? hostaddr : url.host).size();
    if (ports.size() > 1 && ports.size() != hosts)
      throw bad_database_url(url.masked, std::to_string(ports.size()) + " ports for " +
                                             std::to_string(hosts) +
                                             " hosts (give one port for all, or one per host)");
  }
  // A secret that is also the user, host or database name is masked there too.
  url.masked = scrub_secrets(masked_postgres_url(url, scheme), url.secrets);
  return url;
}

/// Parses mysql:// and mariadb:// URLs: [user[:password]@]host[:port]/database[?options].
/// The user info ends at the LAST '@' of the URL, and the user name at its first
/// ':', so a password may hold unencoded ':', '/', '?', '#' and '@'; an '@'
/// after the host (in the database name or an option) must be written %40.
DatabaseUrl parse_mysql_url(const std::string& text, size_t authority_begin,
                            std::string_view scheme) {
  DatabaseUrl url;
  url.kind = DatabaseKind::mysql;
  url.text = text;
  url.secrets = conservative_secrets(text, authority_begin);
  url.masked = scrub_secrets(conservative_mask(text, authority_begin), url.secrets);
  const std::string_view whole(text);

  size_t at = text.rfind('@');
  if (at != npos && at < authority_begin) at = npos;
  std::string_view written_password;
  size_t host_begin = authority_begin;
  if (at != npos) {
    const std::string_view user_info = whole.substr(authority_begin, at - authority_begin);
    const size_t colon = user_info.find(':');
    url.user = percent_decode(user_info.substr(0, colon), url.masked, "user name");
    if (colon != npos) {
      written_password = user_info.substr(colon + 1);
      url.password = percent_decode(written_password, url.masked, "password");
    }
    host_begin = at + 1;
  }

  const size_t query_begin = text.find('?', host_begin);
  const std::string_view rest =
      whole.substr(host_begin, (query_begin == npos ? text.size() : query_begin) - host_begin);
  const size_t slash = rest.find('/');
  const std::string_view hostport = rest.substr(0, slash);
  const std::string_view database = slash == npos ? std::string_view() : rest.substr(slash + 1);

  std::string_view port_text;
  bool has_port = false;
  if (hostport.starts_with('[')) {  // [IPv6]:port
    const size_t close = hostport.find(']');
    if (close == npos) throw bad_database_url(url.masked, "unterminated '[' in the host");
    url.host = std::string(hostport.substr(1, close - 1));
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':')
        throw bad_database_url(url.masked, "unexpected text after ']' in the host");
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    const size_t colon = hostport.find(':');
    url.host = percent_decode(hostport.substr(0, colon), url.masked, "host");
    if (colon != npos) {
      port_text = hostport.substr(colon + 1);
      has_port = true;
    }
  }
  if (url.host.empty())
    throw bad_database_url(url.masked, "missing host (expected mysql://user@host/db)");
  url.port = has_port ? parse_port(port_text, url.masked) : 3306;

  url.database = percent_decode(database, url.masked, "database name");
  if (url.database.empty())
    throw bad_database_url(url.masked, "missing database name (expected mysql://user@host/db)");
  if (database.find('/') != npos)
    throw bad_database_url(url.masked, "the database name contains '/'");

  if (query_begin != npos) parse_query(whole.substr(query_begin + 1), url);
  if (url.password.empty()) {
    for (const auto& [key, value] : url.options)
      if (key == "password") url.password = value;
  }
  url.secrets = parsed_secrets(url, written_password, query_begin);

  url.masked = std::string(scheme) + "://" + masked_user_info(url);
  url.masked += url.host.find(':') != npos ? "[" + url.host + "]" : percent_encode(url.host);
  if (has_port) url.masked += ":" + std::to_string(url.port);
  url.masked += "/" + percent_encode(url.database);
  append_masked_query(url.masked, url.options);
  url.masked = scrub_secrets(url.masked, url.secrets);
  return url;
}

/// Parses sqlite:PATH and sqlite://PATH, with optional ?options.
DatabaseUrl parse_sqlite_url(const std::string& text) {
  DatabaseUrl url;
  url.kind = DatabaseKind::sqlite;
  url.text = text;
  url.masked = text;  // a path may hold ':' and '@': only secret options are masked
  const auto ranges = secret_option_values(text, 0);
  for (auto range = ranges.rbegin(); range != ranges.rend(); ++range)
    url.masked.replace(range->first, range->second - range->first, kSecretMask);
  std::string_view rest = std::string_view(text).substr(std::string_view("sqlite:").size());
  if (rest.starts_with("//")) rest.remove_prefix(2);
  const size_t question = rest.find('?');
  const std::string_view path = rest.substr(0, question);
  if (path.empty())
    throw bad_database_url(url.masked,
                           "missing file path (expected sqlite:PATH, e.g. sqlite:/tmp/test.db)");
  if (path == ":memory:" || path.starts_with("file::memory:"))
    throw bad_database_url(url.masked,
                           "an in-memory SQLite database cannot be used: every worker opens its "
                           "own connection, so they must share a database file (use sqlite:PATH)");
  url.database = std::string(path);
  if (question != npos) parse_query(rest.substr(question + 1), url);
  for (const auto& [key, value] : url.options)
    if (is_secret_option(key)) add_secret(url.secrets, value);
  for (const auto& [begin, end] : ranges)
    add_written_secret(url.secrets, std::string_view(text).substr(begin, end - begin));
  return url;
}

}  // namespace

InputError bad_database_url(const std::string& masked, const std::string& problem) {
  return InputError("--db: bad database URL '" + masked + "': " + problem);
}

DatabaseUrl parse_database_url(const std::string& text) {
  if (text.starts_with("sqlite:")) return parse_sqlite_url(text);
  const size_t scheme_end = text.find("://");
  if (scheme_end == npos)
    throw bad_database_url(conservative_mask(text, 0),
                           "expected postgresql://..., mysql://..., mariadb://... or sqlite:PATH");
  const std::string scheme = text.substr(0, scheme_end);
  const size_t authority_begin = scheme_end + 3;
  if (scheme == "postgresql" || scheme == "postgres")
    return parse_postgres_url(text, authority_begin, scheme);
  if (scheme == "mysql" || scheme == "mariadb")
    return parse_mysql_url(text, authority_begin, scheme);
  throw bad_database_url(conservative_mask(text, authority_begin),
                         "unknown scheme '" + scheme +
                             "' (expected postgresql://, postgres://, mysql://, mariadb:// or "
                             "sqlite:PATH)");
}

std::string mask_saved_url(const std::string& text) {
  const size_t scheme_end = text.find("://");
  return conservative_mask(text, scheme_end == npos ? 0 : scheme_end + 3);
}

std::string scrub_command_line_secrets(std::string_view message, int argc, char** argv) {
  std::vector<std::string> secrets;
  add_environment_secrets(secrets);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.starts_with("--") && arg.find('=') != npos) arg.erase(0, arg.find('=') + 1);
    const size_t scheme_end = arg.find("://");
    if (scheme_end == npos) continue;
    for (const std::string& secret : conservative_secrets(arg, scheme_end + 3))
      if (std::find(secrets.begin(), secrets.end(), secret) == secrets.end())
        secrets.push_back(secret);
  }
  std::stable_sort(secrets.begin(), secrets.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return scrub_secrets(message, secrets);
}

DatabaseUrl temporary_sqlite_url() {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string path =
      std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") + "/clobber-XXXXXX.db";
  const int fd = mkstemps(path.data(), 3);
  if (fd < 0)
    throw DatabaseError("cannot create a temporary SQLite database file " + path + ": " +
                        std::strerror(errno));
  close(fd);
  DatabaseUrl url;
  url.kind = DatabaseKind::sqlite;
  url.text = "sqlite:" + path;
  url.masked = url.text;
  url.database = path;
  url.temporary = true;
  return url;
}

}  // namespace clobber
