// The qrcode page's script: reads the payload from the page, as the widget reads its
// data-charge, and inserts the package's SVG.
import { qrSvg } from "./qrcode-svg.mjs";

const box = document.getElementById("qr");
box.innerHTML = await qrSvg(box.dataset.payload);
