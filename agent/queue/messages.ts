// zh-CN texts shown to citizens for appointment refusals (kept together for review by the hall).
export const appointmentTxt = {
  unknown: '预约码不存在，请核对后重试或到咨询台咨询',
  used: '该预约码已签到，不能重复使用',
  notToday: (day: string) => `该预约不是今天的（预约日期 ${day}）`,
};
