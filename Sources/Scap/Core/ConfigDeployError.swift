import Cumin

/// A `config_deploy` input that cannot be rendered (`config-files.yaml`, `vars.yaml` or a template): the file, the
/// line and column when known, the entry or key at fault (`key`), and what to do (`message`). The deploy does not
/// start. It is Cumin's configuration error, whose description reads
///
/// ```
/// /srv/deployment/web/deploy/scap/templates/app.yaml.j2:3:9: key '/etc/web/app.yaml': Unknown filter 'upper2'. ...
/// ```
public typealias ConfigDeployError = ConfigurationError
