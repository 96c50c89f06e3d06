// A route file with no method export (R17).
export const note = "no handlers";
