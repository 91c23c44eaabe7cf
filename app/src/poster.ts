import QRCode from "qrcode";

/** What the poster says, in the user's language. */
export interface PosterText {
  appName: string;
  tagline: string;
  headline: string;
  codeLabel: string;
  scanHint: string;
}

const W = 750;
const H = 1150;
const FONT =
  '-apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

function loadImage(src: string): Promise<HTMLImageElement | null> {
  return new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => resolve(null);
    img.src = src;
  });
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

/**
 * The share poster as a PNG data URL: the app's name and line, the invite QR code (`url`, drawn with the
 * qrcode library) and the referral code. The same image is shown on the page and saved by 保存海报.
 */
export async function drawPoster(code: string, url: string, text: PosterText): Promise<string> {
  const canvas = document.createElement("canvas");
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("no 2d canvas");

  // Background: the app's blue → violet, with two soft light circles.
  const bg = ctx.createLinearGradient(0, 0, W, H);
  bg.addColorStop(0, "#1d8cf8");
  bg.addColorStop(1, "#8b5cf6");
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = "rgba(255,255,255,0.08)";
  ctx.beginPath();
  ctx.arc(W - 60, 120, 220, 0, Math.PI * 2);
  ctx.fill();
  ctx.beginPath();
  ctx.arc(40, H - 80, 180, 0, Math.PI * 2);
  ctx.fill();

  // Brand.
  const icon = await loadImage("/icons/icon-192.png");
  const brandY = 96;
  if (icon) {
    ctx.save();
    roundRect(ctx, 60, brandY, 96, 96, 24);
    ctx.clip();
    ctx.drawImage(icon, 60, brandY, 96, 96);
    ctx.restore();
  }
  ctx.fillStyle = "#fff";
  ctx.textBaseline = "alphabetic";
  ctx.textAlign = "left";
  ctx.font = `700 56px ${FONT}`;
  ctx.fillText(text.appName, icon ? 180 : 60, brandY + 56);
  ctx.font = `400 28px ${FONT}`;
  ctx.fillStyle = "rgba(255,255,255,0.88)";
  ctx.fillText(text.tagline, icon ? 182 : 60, brandY + 96);

  // Headline.
  ctx.textAlign = "center";
  ctx.fillStyle = "#fff";
  ctx.font = `700 48px ${FONT}`;
  ctx.fillText(text.headline, W / 2, 310, W - 80);

  // The white card with the QR code and the code.
  const cardX = 70;
  const cardY = 360;
  const cardW = W - 140;
  const cardH = 700;
  ctx.save();
  ctx.shadowColor = "rgba(20, 20, 60, 0.25)";
  ctx.shadowBlur = 30;
  ctx.shadowOffsetY = 10;
  ctx.fillStyle = "#fff";
  roundRect(ctx, cardX, cardY, cardW, cardH, 32);
  ctx.fill();
  ctx.restore();

  const qrSize = 400;
  const qr = document.createElement("canvas");
  await QRCode.toCanvas(qr, url, {
    width: qrSize,
    margin: 1,
    errorCorrectionLevel: "M",
    color: { dark: "#1f2329", light: "#ffffff" },
  });
  ctx.drawImage(qr, (W - qrSize) / 2, cardY + 50, qrSize, qrSize);

  ctx.fillStyle = "#8a8f99";
  ctx.font = `400 28px ${FONT}`;
  ctx.fillText(text.codeLabel, W / 2, cardY + 520);
  ctx.fillStyle = "#1f2329";
  ctx.font = `700 64px ${FONT}`;
  const spaced = code.split("").join("\u2009");
  ctx.fillText(spaced, W / 2, cardY + 600, cardW - 60);
  ctx.fillStyle = "#8a8f99";
  ctx.font = `400 26px ${FONT}`;
  ctx.fillText(text.scanHint, W / 2, cardY + 660, cardW - 60);

  return canvas.toDataURL("image/png");
}

/** Saves a data URL as a file (a download in browsers; iOS Safari opens it to long-press and save). */
export function downloadDataUrl(dataUrl: string, filename: string) {
  const a = document.createElement("a");
  a.href = dataUrl;
  a.download = filename;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
}
