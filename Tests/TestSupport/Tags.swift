import Testing

/// The real components a test needs besides the code under test. `scripts/test.sh --fast` skips every test tagged
/// with one of them; docs/testing.md lists what each stands for.
extension Tag {
    /// A bed of real OpenSSH sshds on loopback (TestBed).
    @Tag public static var sshd: Self
    /// A real etcd server (EtcdServer).
    @Tag public static var etcd: Self
    /// A real Prometheus (PrometheusServer).
    @Tag public static var prometheus: Self
    /// A real Alertmanager (AlertmanagerServer).
    @Tag public static var alertmanager: Self
    /// A real authoritative DNS server, NSD (DNSServer).
    @Tag public static var dns: Self
    /// conftool's `confctl`, from the repository's virtual environment.
    @Tag public static var conftool: Self
    /// The OIDC identity provider (oidc-provider-mock, from the virtual environment).
    @Tag public static var idp: Self
    /// Headless Chromium driven through Selenium.
    @Tag public static var browser: Self
    /// The Swift compiler, compiling cookbook trees through the `cookbook` binary: slow, and it keeps both cores busy.
    @Tag public static var compiler: Self
}
