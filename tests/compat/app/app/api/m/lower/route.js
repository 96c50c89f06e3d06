// Lower-case and default exports are not handlers (R17).
export function get() {
  return new Response("lower");
}
export default function handler() {
  return new Response("default");
}
export function POST() {
  return new Response("post");
}
