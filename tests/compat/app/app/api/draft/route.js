import { draftMode } from "next/headers";

// draftMode() without the bypass cookie (R68).
export async function GET() {
  const draft = await draftMode();
  return Response.json({ isEnabled: draft.isEnabled, methods: [typeof draft.enable, typeof draft.disable] });
}
