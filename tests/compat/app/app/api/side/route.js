import { word } from "./helper.js";
export const GET = () => Response.json({ word });
