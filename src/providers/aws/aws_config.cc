#include "providers/aws/aws_config.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace faaskeeper::aws {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string home_file(const std::string& rel) {
  std::string home = env("HOME");
  return home.empty() ? "" : home + "/" + rel;
}

}  // namespace

std::map<std::string, std::map<std::string, std::string>> parse_aws_ini(const std::string& text) {
  std::map<std::string, std::map<std::string, std::string>> out;
  std::string section;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      section = trim(t.substr(1, t.size() - 2));
      out[section];
      continue;
    }
    size_t eq = t.find('=');
    if (eq == std::string::npos || section.empty()) continue;
    std::string key = trim(t.substr(0, eq));
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    out[section][key] = trim(t.substr(eq + 1));
  }
  return out;
}

std::string AwsConfig::endpoint(const std::string& service) const {
  if (auto it = endpoints.find(service); it != endpoints.end()) {
    std::string e = it->second;
    while (!e.empty() && e.back() == '/') e.pop_back();
    return e;
  }
  return "https://" + service + "." + region + ".amazonaws.com";
}

Result<AwsConfig> AwsConfig::from_environment() {
  AwsConfig cfg;
  std::string profile = env("AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::string cred_path = env("AWS_SHARED_CREDENTIALS_FILE");
  if (cred_path.empty()) cred_path = home_file(".aws/credentials");
  std::string conf_path = env("AWS_CONFIG_FILE");
  if (conf_path.empty()) conf_path = home_file(".aws/config");
  auto creds_ini = cred_path.empty() ? decltype(parse_aws_ini("")){} : parse_aws_ini(read_file(cred_path));
  auto conf_ini = conf_path.empty() ? decltype(parse_aws_ini("")){} : parse_aws_ini(read_file(conf_path));
  std::map<std::string, std::string> conf_profile;
  if (auto it = conf_ini.find(profile == "default" ? "default" : "profile " + profile); it != conf_ini.end())
    conf_profile = it->second;

  cfg.credentials.access_key_id = env("AWS_ACCESS_KEY_ID");
  cfg.credentials.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  cfg.credentials.session_token = env("AWS_SESSION_TOKEN");
  if (cfg.credentials.access_key_id.empty() || cfg.credentials.secret_access_key.empty()) {
    std::map<std::string, std::string> src;
    if (auto it = creds_ini.find(profile); it != creds_ini.end()) src = it->second;
    if (!src.count("aws_access_key_id")) src = conf_profile;
    cfg.credentials.access_key_id = src["aws_access_key_id"];
    cfg.credentials.secret_access_key = src["aws_secret_access_key"];
    cfg.credentials.session_token = src["aws_session_token"];
  }
  if (cfg.credentials.access_key_id.empty() || cfg.credentials.secret_access_key.empty())
    return Status(Error::BadArguments, "no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or profile '" +
                                           profile + "' in " + cred_path);

  cfg.region = env("AWS_REGION");
  if (cfg.region.empty()) cfg.region = env("AWS_DEFAULT_REGION");
  if (cfg.region.empty()) cfg.region = conf_profile["region"];
  if (cfg.region.empty()) cfg.region = "us-east-1";

  std::string all = env("AWS_ENDPOINT_URL");
  for (const char* svc : {"dynamodb", "s3", "sqs"}) {
    std::string var = "AWS_ENDPOINT_URL_" + std::string(svc);
    std::transform(var.begin(), var.end(), var.begin(), [](unsigned char c) { return std::toupper(c); });
    std::string v = env(var.c_str());
    if (v.empty()) v = all;
    if (!v.empty()) cfg.endpoints[svc] = v;
  }
  return cfg;
}

}  // namespace faaskeeper::aws
