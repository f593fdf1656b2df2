//! The onboarding link as a QR code: an SVG image in a `data:` URI (the CSP allows `data:`
//! images and nothing inline that runs).

use base64::{Engine, engine::general_purpose::STANDARD};
use qrcode::{QrCode, render::svg};

use crate::ConsoleError;

pub fn data_uri(link: &str) -> Result<String, ConsoleError> {
    let code = QrCode::new(link.as_bytes()).map_err(ConsoleError::internal)?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        STANDARD.encode(image)
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_link_becomes_an_svg_data_uri() {
        let uri = super::data_uri("https://vendor.example/onboard?code=rac1.x.y").unwrap();
        assert!(uri.starts_with("data:image/svg+xml;base64,"));
    }
}
