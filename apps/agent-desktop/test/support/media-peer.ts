/**
 * A second RTCPeerConnection in the page that plays the far end's media (a
 * SIPp caller's, Twilio's media server): it sends a tone and makes an offer
 * with ICE fully gathered, since neither SIPp nor PStream trickles candidates.
 * The peer stays on `window.__mediaPeer` so a test can apply the answer.
 */
import type { Page } from "playwright-core";

type MediaWindow = { __mediaPeer?: RTCPeerConnection };

export function farEndOffer(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const pc = new RTCPeerConnection();
    (window as unknown as MediaWindow).__mediaPeer = pc;
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const out = audio.createMediaStreamDestination();
    tone.connect(out);
    tone.start();
    pc.addTrack(out.stream.getAudioTracks()[0]!, out.stream);
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      const check = (): void => {
        if (pc.iceGatheringState !== "complete") return;
        clearTimeout(timer);
        resolve();
      };
      pc.addEventListener("icegatheringstatechange", check);
      check();
    });
    return pc.localDescription!.sdp;
  });
}

/** Applies the agent's answer to the far-end peer and reports its ICE state. */
export async function answerFarEnd(page: Page, sdp: string): Promise<void> {
  await page.evaluate((answer) => (window as unknown as MediaWindow).__mediaPeer!.setRemoteDescription({ type: "answer", sdp: answer }), sdp);
}

export function farEndIceState(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as MediaWindow).__mediaPeer!.iceConnectionState);
}
