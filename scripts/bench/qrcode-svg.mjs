// The reference: the charge's QR drawn by the `qrcode` npm package, with the options a shop
// would pick (SVG, level M like the widget, the standard 4-module quiet zone). Node imports it
// to write the static floor page; rolldown bundles it for the browser pages.
import QRCode from "qrcode";

export const QR_OPTIONS = { type: "svg", errorCorrectionLevel: "M", margin: 4 };

/** The SVG markup of `payload`'s QR code. */
export function qrSvg(payload) {
  return QRCode.toString(payload, QR_OPTIONS);
}
