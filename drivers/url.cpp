#include "drivers/url.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace clobber {
namespace {

constexpr std::string_view kMask = "***";

/// The part of a server URL after "scheme://", split where the parser needs it.
struct UrlParts {
  size_t authority_begin = 0;     // just after "://"
  size_t query_begin = 0;         // the '?' or the end of the text
  size_t at = std::string::npos;  // the '@' ending the user info, if any
};

/// Splits a server URL. The user info ends at the last '@' before the query, so
/// that an unencoded '/' or '@' in a password still counts as password (and is masked).
UrlParts split_url(const std::string& text, size_t authority_begin) {
  UrlParts parts;
  parts.authority_begin = authority_begin;
  parts.query_begin = text.find('?', authority_begin);
  if (parts.query_begin == std::string::npos) parts.query_begin = text.size();
  size_t at = text.rfind('@', parts.query_begin == 0 ? 0 : parts.query_begin - 1);
  if (at != std::string::npos && at >= authority_begin) parts.at = at;
  return parts;
}

/// Replaces the password in the user info and any `password=` query option with ***.
std::string mask_server_url(const std::string& text, size_t authority_begin) {
  UrlParts parts = split_url(text, authority_begin);
  std::string masked = text.substr(0, parts.query_begin);
  if (parts.at != std::string::npos) {
    size_t colon = masked.find(':', authority_begin);
    if (colon != std::string::npos && colon < parts.at)
      masked.replace(colon + 1, parts.at - colon - 1, kMask);
  }
  if (parts.query_begin == text.size()) return masked;
  masked += '?';
  std::string_view query = std::string_view(text).substr(parts.query_begin + 1);
  bool first = true;
  while (true) {
    size_t amp = query.find('&');
    std::string_view option = query.substr(0, amp);
    if (!first) masked += '&';
    first = false;
    if (option.starts_with("password=")) {
      masked += "password=";
      masked += kMask;
    } else {
      masked += option;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return masked;
}

/// The value of one hexadecimal digit, or -1.
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Builds the InputError for a bad URL: names the masked URL and the problem.
InputError bad_url(const std::string& masked, const std::string& problem) {
  return InputError("bad database URL '" + masked + "': " + problem);
}

/// Decodes %XX escapes; `what` names the part for the error message.
std::string percent_decode(std::string_view text, const std::string& masked, const char* what) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int high = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (high < 0 || low < 0)
      throw bad_url(masked, std::string("invalid percent-encoding in the ") + what);
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

/// Parses `key=value&...` into url.options (decoded, in order).
void parse_query(std::string_view query, DatabaseUrl& url) {
  if (query.empty()) return;
  while (true) {
    size_t amp = query.find('&');
    std::string_view option = query.substr(0, amp);
    size_t eq = option.find('=');
    std::string key = percent_decode(option.substr(0, eq), url.masked, "URL options");
    if (key.empty()) throw bad_url(url.masked, "an option has no name");
    std::string value = eq == std::string_view::npos
                            ? std::string()
                            : percent_decode(option.substr(eq + 1), url.masked, "URL options");
    url.options.emplace_back(std::move(key), std::move(value));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
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
    throw bad_url(masked,
                  "bad port '" + std::string(text) + "' (expected a number from 1 to 65535)");
  return port;
}

/// Parses postgresql:// and mysql:// URLs: [user[:password]@]host[:port]/database[?options].
DatabaseUrl parse_server_url(const std::string& text, size_t authority_begin, DatabaseKind kind,
                             int default_port) {
  DatabaseUrl url;
  url.kind = kind;
  url.text = text;
  url.masked = mask_server_url(text, authority_begin);
  UrlParts parts = split_url(text, authority_begin);
  std::string_view whole(text);

  size_t host_begin = authority_begin;
  if (parts.at != std::string::npos) {
    std::string_view userinfo = whole.substr(authority_begin, parts.at - authority_begin);
    size_t colon = userinfo.find(':');
    url.user = percent_decode(userinfo.substr(0, colon), url.masked, "user name");
    if (colon != std::string_view::npos)
      url.password = percent_decode(userinfo.substr(colon + 1), url.masked, "password");
    host_begin = parts.at + 1;
  }

  std::string_view rest = whole.substr(host_begin, parts.query_begin - host_begin);
  size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  std::string_view database =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);

  std::string_view port_text;
  bool has_port = false;
  if (hostport.starts_with('[')) {  // [IPv6]:port
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) throw bad_url(url.masked, "unterminated '[' in the host");
    url.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') throw bad_url(url.masked, "unexpected text after ']' in the host");
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    size_t colon = hostport.find(':');
    url.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = hostport.substr(colon + 1);
      has_port = true;
    }
  }
  if (url.host.empty()) throw bad_url(url.masked, "missing host (expected scheme://user@host/db)");
  url.port = has_port ? parse_port(port_text, url.masked) : default_port;

  url.database = percent_decode(database, url.masked, "database name");
  if (url.database.empty())
    throw bad_url(url.masked, "missing database name (expected scheme://user@host/db)");
  if (url.database.find('/') != std::string::npos)
    throw bad_url(url.masked, "the database name contains '/'");

  if (parts.query_begin < text.size()) parse_query(whole.substr(parts.query_begin + 1), url);
  if (url.password.empty()) {
    for (const auto& [key, value] : url.options)
      if (key == "password") url.password = value;
  }
  return url;
}

/// Parses sqlite:PATH and sqlite://PATH, with optional ?options.
DatabaseUrl parse_sqlite_url(const std::string& text) {
  DatabaseUrl url;
  url.kind = DatabaseKind::sqlite;
  url.text = text;
  url.masked = text;
  std::string_view rest = std::string_view(text).substr(std::string_view("sqlite:").size());
  if (rest.starts_with("//")) rest.remove_prefix(2);
  size_t question = rest.find('?');
  std::string_view path = rest.substr(0, question);
  if (path.empty())
    throw bad_url(url.masked, "missing file path (expected sqlite:PATH, e.g. sqlite:/tmp/test.db)");
  if (path == ":memory:" || path.starts_with("file::memory:"))
    throw bad_url(url.masked,
                  "an in-memory SQLite database cannot be used: every worker opens its own "
                  "connection, so they must share a database file (use sqlite:PATH)");
  url.database = std::string(path);
  if (question != std::string_view::npos) parse_query(rest.substr(question + 1), url);
  return url;
}

}  // namespace

DatabaseUrl parse_database_url(const std::string& text) {
  if (text.starts_with("sqlite:")) return parse_sqlite_url(text);
  size_t scheme_end = text.find("://");
  if (scheme_end == std::string::npos)
    throw InputError("bad database URL '" + mask_server_url(text, 0) +
                     "': expected postgresql://..., mysql://..., mariadb://... or sqlite:PATH");
  std::string scheme = text.substr(0, scheme_end);
  size_t authority_begin = scheme_end + 3;
  if (scheme == "postgresql" || scheme == "postgres")
    return parse_server_url(text, authority_begin, DatabaseKind::postgresql, 5432);
  if (scheme == "mysql" || scheme == "mariadb")
    return parse_server_url(text, authority_begin, DatabaseKind::mysql, 3306);
  throw bad_url(mask_server_url(text, authority_begin),
                "unknown scheme '" + scheme +
                    "' (expected postgresql://, postgres://, mysql://, mariadb:// or sqlite:PATH)");
}

DatabaseUrl temporary_sqlite_url() {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string path =
      std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") + "/clobber-XXXXXX.db";
  int fd = mkstemps(path.data(), 3);
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
