//! What a program was built from, as an info metric: client_golang's
//! version collector (`<namespace>_build_info{version, revision, …} 1`).

use crate::{Error, Info};

/// The version of the compiler that built prom: in a normal build, the one
/// that built the program too.
pub const RUSTC_VERSION: &str = env!("PROM_RUSTC_VERSION");

/// The target prom was built for (e.g. `x86_64-unknown-linux-gnu`).
pub const TARGET: &str = env!("PROM_TARGET");

/// What a program was built from; made by [`build_info!`](crate::build_info)
/// in the program's own crate, so that the version is the program's.
///
/// ```
/// let build = prom::build_info!();
/// assert_eq!(build.version, env!("CARGO_PKG_VERSION"));
/// let info = build.info("myapp")?;
/// assert_eq!(info.get().get("version"), Some(build.version));
/// let families = prom::collect(&info)?;
/// assert_eq!(&*families[0].name, "myapp_build");
/// assert_eq!(families[0].sample_value("myapp_build_info", &build.labels()), Some(1.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuildInfo {
    /// The crate's version (`CARGO_PKG_VERSION`).
    pub version: &'static str,
    /// The source revision: `GIT_REVISION` or `VERGEN_GIT_SHA` when the
    /// crate was compiled, else `unknown`.
    pub revision: &'static str,
    /// The compiler's version ([`RUSTC_VERSION`]).
    pub rustc: &'static str,
    /// `debug` or `release` (whether debug assertions were on).
    pub profile: &'static str,
    /// The target triple ([`TARGET`]).
    pub target: &'static str,
}

impl BuildInfo {
    /// What [`build_info!`](crate::build_info) expands to: the program's
    /// version, revision and profile, with prom's compiler and target.
    #[doc(hidden)]
    pub const fn __new(
        version: &'static str,
        revision: &'static str,
        profile: &'static str,
    ) -> Self {
        Self {
            version,
            revision,
            rustc: RUSTC_VERSION,
            profile,
            target: TARGET,
        }
    }

    /// The label pairs of the info's sample, in this order: `version`,
    /// `revision`, `rustc`, `profile`, `target`.
    pub fn labels(&self) -> [(&'static str, &'static str); 5] {
        [
            ("version", self.version),
            ("revision", self.revision),
            ("rustc", self.rustc),
            ("profile", self.profile),
            ("target", self.target),
        ]
    }

    /// An info `<namespace>_build` (exposed as `<namespace>_build_info`)
    /// holding these labels, not registered (see [`BuildInfo::register`]).
    ///
    /// # Errors
    /// An invalid namespace, naming it.
    pub fn info(&self, namespace: &str) -> Result<Info, Error> {
        let info = Info::new(
            &format!("{namespace}_build"),
            "What the program was built from: version, source revision, compiler, profile and target.",
        )?;
        info.set(self.labels())?;
        Ok(info)
    }

    /// [`BuildInfo::info`], registered in the default registry.
    ///
    /// # Errors
    /// An invalid namespace, or one whose build info is already registered.
    #[cfg(feature = "registry")]
    pub fn register(&self, namespace: &str) -> Result<Info, Error> {
        let info = self.info(namespace)?;
        crate::register(info.clone())?;
        Ok(info)
    }
}

/// The [`BuildInfo`] of the crate this is written in.
///
/// ```
/// let build = prom::build_info!();
/// assert!(build.profile == "debug" || build.profile == "release");
/// ```
#[macro_export]
macro_rules! build_info {
    () => {
        $crate::BuildInfo::__new(
            env!("CARGO_PKG_VERSION"),
            match option_env!("GIT_REVISION") {
                Some(r) => r,
                None => match option_env!("VERGEN_GIT_SHA") {
                    Some(r) => r,
                    None => "unknown",
                },
            },
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            },
        )
    };
}
