//! Each function's stripped release binary, and the zip Lambda would receive (`bootstrap`).

use std::io::Write;
use std::path::Path;

pub struct Size {
    pub name: String,
    pub binary_bytes: u64,
    pub zip_bytes: u64,
}

/// Sizes of `target/release/<name>`; the zip is made by Python's zipfile (deflate), as
/// `sam build`'s zip step would.
pub fn measure(release_dir: &Path, name: &str) -> Option<Size> {
    let binary = release_dir.join(name);
    let binary_bytes = std::fs::metadata(&binary).ok()?.len();
    let zip = std::env::temp_dir().join(format!("canopy-bench-{name}.zip"));
    let script = format!(
        "import zipfile; z = zipfile.ZipFile({:?}, 'w', zipfile.ZIP_DEFLATED); z.write({:?}, 'bootstrap'); z.close()",
        zip.display().to_string(),
        binary.display().to_string()
    );
    let status = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .status()
        .ok()?;
    if !status.success() {
        let _ = writeln!(std::io::stderr(), "zip failed for {name}");
        return None;
    }
    let zip_bytes = std::fs::metadata(&zip).ok()?.len();
    let _ = std::fs::remove_file(&zip);
    Some(Size {
        name: name.to_string(),
        binary_bytes,
        zip_bytes,
    })
}
